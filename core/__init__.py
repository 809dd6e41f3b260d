"""Branchwise's neutral core: settings, the named errors and the helpers every command line shares.

Every other package depends on it; it depends on none of ours.
"""
