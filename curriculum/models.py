"""Standards, pathways, modules, requirements and enrolments (issue [Curriculum])."""
