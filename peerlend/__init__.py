"""peerlend: a peer-to-peer lending marketplace with online and offline channels."""

__version__ = "0.1.0"
