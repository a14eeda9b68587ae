"""Vigil's input contract: the raw tables every data source fills, and their validation."""
