//! Layouts: every number range-checked, reload that proves the candidate draws the call before
//! swapping it in, refusing empty, truncated and non-regular files.
