"""The safety survey: loading with reasons, feeling safe, precautions, victimisation and
reporting, free-text themes, places named, and personal-data redaction of every quote.

``run_survey(survey_dir, out_dir, areas=None, places=None)`` writes survey.json, survey.html
and tables; ``write_demo_survey(out_dir, seed=20211031)`` writes the demo survey.
"""

from vawgscope.survey.run import HEADLINE_KEYS, run_survey
from vawgscope.synth.survey import write_demo_survey

__all__ = ["HEADLINE_KEYS", "run_survey", "write_demo_survey"]
