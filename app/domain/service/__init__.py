"""The service-desk workflow (便民服务, RULES.md §1): its declaration (``flow``), state,
checks, intake with the one-time notice, deadlines, the matter catalog, and a village's own
matters proposed to the town for it (``local_matters``)."""
