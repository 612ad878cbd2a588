"""The social-stability risk assessment workflow (社会稳定风险评估): its declaration
(``flow``) and the grading rules."""
