"""The 民意台账 workflow (双联三解): its declaration (``flow``)."""
