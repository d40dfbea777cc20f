"""Theory exams: question types, bank, blueprints, papers, sessions and attempts."""
