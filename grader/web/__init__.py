"""The TA's workbench in the browser (`grader serve`): grade by question, review by student, class analytics.

A local Starlette app over an output folder's result stores. Everything a student wrote is sanitised before
it reaches a page (grader.web.render), and pages forbid inline script, so a hand-in cannot run anything in
the TA's browser.
"""
