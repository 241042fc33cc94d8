"""Executable evidence of how the released Inception networks relate to arXiv 1602.07261."""

__version__ = "0.1.0"
