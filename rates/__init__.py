"""rates: check convergence-rate claims of optimization papers by measurement."""

__version__ = "0.1.0"
