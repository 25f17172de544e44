"""Generated mutants: small AST mutation operators applied to an assignment's reference, to measure how many
mistakes nobody wrote down its rubric catches (`grader selftest ASSIGNMENT --generate`)."""
