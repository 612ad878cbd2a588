"""The no-placeholder and no-stutter checks (app.docs.checks) on the faults found on paper
(issue #8 §2), and render() refusing a document with an unfilled value."""
from __future__ import annotations

import pytest

from app.docs import (
    Document, Field, Fields, Text, UnfilledError, placeholders, render, repeated_phrases,
    unfilled)


@pytest.mark.parametrize("text", [
    "投诉电话：镇纪委投诉电话（待镇里配置）：号码待镇里配置",
    "咨询电话：镇便民服务中心（电话还没有设置）",
    "联系电话：0376-xxxxxxx", "反映人：None", "受理回执编号：{receipt_no}", "首接责任人：（）",
])
def test_placeholders_are_found(text):
    assert placeholders(text)


@pytest.mark.parametrize("text, phrase", [
    ("咨询电话：12333人力资源和社会保障服务热线：12333", "12333"),
    ("请按有关规定认真办理，于2026年12月4日前办结，并将办理结果请在期限内将办理结果书面回复镇便民服务中心",
     "将办理结果"),
])
def test_a_phrase_said_twice_in_one_sentence_is_found(text, phrase):
    assert phrase in repeated_phrases(text)


@pytest.mark.parametrize("text", [
    "本协议自各方当事人签名（盖章或按指印）、人民调解员签名并加盖人民调解委员会印章之日起生效。",
    "请妥善保管本回执。办结后我们会通知您。有疑问请咨询：12393医疗保障服务热线；对办理有意见的，"
    "可以投诉：新集镇纪委 0376-2988125。",
    "你单位新集便民转〔2026〕12号函（反映人：赵文堃；事项：最低生活保障申请；受理回执编号："
    "XJ003-250926-0007-12）已收悉，办理情况如下。",
])
def test_sound_sentences_pass(text):
    assert repeated_phrases(text) == [] and placeholders(text) == []


def test_a_document_with_an_empty_or_placeholder_value_is_not_rendered():
    doc = Document(issuer="新集镇王湾村便民服务站", title="受理回执", number="XJ003-1",
                   blocks=[Fields([Field("申请人", "赵文堃"), Field("联系电话", "")]),
                           Text("投诉电话：镇纪委（待镇里配置）")])
    problems = unfilled(doc)
    assert problems[0] == "“联系电话”没有填写" and len(problems) == 2
    assert problems[1].startswith("有未填写的内容") and "镇纪委（待镇里配置）" in problems[1]
    with pytest.raises(UnfilledError, match="“受理回执”有内容没有填好"):
        render(doc)
