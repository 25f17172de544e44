"""Rosters give hand-ins their LMS identity; unmatched hand-ins and students without one are listed."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.discover import discover
from grader.discover.roster import RosterError, load_roster, match_roster, parse_columns

LMS = Path(__file__).parent / "files" / "lms"


def test_a_canvas_gradebook_export_is_a_roster():
    roster = load_roster(LMS / "roster_canvas.csv")
    assert [e.id for e in roster.entries] == ["4021", "4022", "4024"]  # "Points Possible" is no student
    assert roster.entries[0].sis_login_id == "jdoe" and roster.entries[0].section == "Section A"


def test_canvas_hand_ins_match_by_user_id():
    match = match_roster(discover(LMS / "canvas", "numpy_nn.py"), load_roster(LMS / "roster_canvas.csv"))
    assert {k: [e.id for e in v] for k, v in match.matched.items()} == {"doejane_4021": ["4021"], "smithbob_4022": ["4022"]}
    assert match.unmatched == ("leeann_4023",)
    assert [e.id for e in match.missing] == ["4024"]


def test_configured_columns_and_group_hand_ins():
    columns = parse_columns("id=Student Number,name=Full name,email=Mail,section=Group")
    roster = load_roster(LMS / "roster_custom.csv", columns)
    match = match_roster(discover(LMS / "gradescope", "numpy_nn.py"), roster)
    assert [e.id for e in match.matched["Bob_Smith_2002"]] == ["2002", "2003"]  # both members of the group
    assert [e.id for e in match.missing] == ["2004"]
    assert match.unmatched == ()


def test_moodle_matches_by_name_when_ids_differ():
    roster = load_roster(LMS / "roster_custom.csv", parse_columns("id=Student Number,name=Full name"))
    match = match_roster(discover(LMS / "moodle", "numpy_nn.py"), roster)
    assert [e.id for e in match.matched["Jane_Doe_130001"]] == ["2001"]
    assert match.unmatched == ("Émile_O_Neil_130002",)


def test_roster_mistakes_are_explained(tmp_path):
    with pytest.raises(RosterError, match="not found"):
        load_roster(tmp_path / "none.csv")
    (tmp_path / "r.csv").write_text("who,mail\na,b\n")
    with pytest.raises(RosterError, match="no id column 'id'"):
        load_roster(tmp_path / "r.csv")
    (tmp_path / "d.csv").write_text("id,name\n1,a\n1,b\n")
    with pytest.raises(RosterError, match="more than once"):
        load_roster(tmp_path / "d.csv")
    with pytest.raises(RosterError, match="FIELD=COLUMN"):
        parse_columns("ident=ID")


def test_a_moodle_grading_worksheet_is_a_roster_matching_its_download():
    roster = load_roster(LMS / "roster_moodle_worksheet.csv")
    assert [e.id for e in roster.entries] == ["130001", "130002", "130003"]
    match = match_roster(discover(LMS / "moodle", "numpy_nn.py"), roster)
    assert {k: v[0].id for k, v in match.matched.items()} == {"Jane_Doe_130001": "130001", "Émile_O_Neil_130002": "130002"}
    assert [e.name for e in match.missing] == ["Kim Park"]


def test_plain_hand_ins_match_by_login_or_email(tmp_path):
    (tmp_path / "jdoe.py").write_text("")
    (tmp_path / "bob.smith.py").write_text("")
    roster = load_roster(LMS / "roster_custom.csv", parse_columns("id=Student Number,name=Full name,email=Mail"))
    canvas = load_roster(LMS / "roster_canvas.csv")
    assert match_roster(discover(tmp_path, "numpy_nn.py"), canvas).matched["jdoe"][0].id == "4021"  # SIS login
    assert match_roster(discover(tmp_path, "numpy_nn.py"), roster).matched["bob.smith"][0].id == "2002"  # email
