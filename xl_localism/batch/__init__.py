"""Batch processing of submitted workbooks: discover, score in parallel, report nationally."""
