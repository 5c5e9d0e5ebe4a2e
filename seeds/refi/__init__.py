"""REFI-QDA interchange (the QDA-XML standard that NVivo, ATLAS.ti, MAXQDA, QualCoder and
f4analyse share): export of a project as .qdpx and of its codebook as .qdc."""
