"""Every screen of the app has a 使用说明 in Chinese."""
from __future__ import annotations

import re

from app.help_topics import TOPICS, topic_for

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_every_screen_has_its_own_help():
    from app.ui.screens import SCREENS
    missing = [name for name in SCREENS
               if topic_for(name) is TOPICS["home"] and name not in ("home", "help")]
    assert missing == []


def test_help_is_chinese_with_steps():
    for name, topic in TOPICS.items():
        assert topic.title and topic.purpose.endswith("。"), name
        assert topic.sections and all(lines for _, lines in topic.sections), name
        for heading, lines in topic.sections:
            for line in (heading, *lines):
                assert not LATIN_WORD.search(line.replace("Excel", "")), (name, line)  # a button says Excel
                assert line == line.strip(), (name, line)
