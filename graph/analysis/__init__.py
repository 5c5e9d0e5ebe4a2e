"""Cross-case analysis: the questions a team asks across cases, answered from one
snapshot of a project that each adapter reads in one transaction.

Each adapter supplies `project_snapshot` and `search_documents` (its own query
language, its own indexes); the answers are computed here once, so both adapters give
identical answers by construction.
"""
