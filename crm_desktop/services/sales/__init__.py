"""The sales chain: products, opportunities and stages, contracts, payments, printing."""
