"""Realistic 来访登记 (visit.logged) payloads for the benchmarks, from a seeded RNG.

The content is drawn the way a village register fills up: people's names from common
surnames and given-name characters (rare ones such as 堃、喆、赟 included), 村 + 组
addresses, phone and ID numbers that are random where real ones are, matters and
officers' opinions from about thirty situations with their own details (amounts,
years, neighbours, plots), and optional fields left out as often as clerks leave them
out. Average canonical payload size is about 500 bytes of UTF-8 JSON.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵")
GIVEN = ("秀英桂兰玉兰建国建华志强国华海燕春梅凤英丽娟文军红梅淑珍德胜永福金凤小红明亮家豪子涵浩然"
         "雨轩思远佳怡欣怡俊杰振华卫东学军德华秀兰翠花秋菊春生根生长青庆华爱民新民树林保国堃喆赟玥昊")
VILLAGES = ("王湾村", "李庄村", "张楼村", "刘营村", "陈岗村", "杨集村", "黄湾村", "赵店村", "周寨村",
            "孙湾村", "马庄村", "新集村")
GROUPS = ("一组", "二组", "三组", "四组", "五组", "六组", "七组", "八组", "九组", "十组")
POSTS = ("村党支部书记", "村委会主任", "村委委员", "村监委会主任", "便民服务站代办员", "驻村工作队员",
         "网格员", "人民调解员")
PLACES = ("便民服务站", "村委会调解室", "入户走访", "田间地头", "电话来访")
PLOTS = ("东坡", "河滩", "老宅基", "南地", "村口", "西岗", "机井旁", "坟地边")
KIN = ("儿子", "女儿", "老伴", "孙子", "母亲", "父亲", "兄弟", "儿媳")
ITEMS = ("城乡居民医保", "城乡居民养老保险", "低保", "残疾人两项补贴", "高龄津贴", "耕地地力保护补贴",
         "临时救助", "危房改造补助", "特困供养", "农机购置补贴")

# (matter, opinion, result) templates; {…} slots are filled per visit.
SITUATIONS: tuple[tuple[str, str, str], ...] = (
    ("咨询{item}缴费标准和缴费时间，{kin}在外打工，想一起代缴{year}年度的费用。",
     "已告知{year}年度缴费标准和微信、银行代缴方式，发放了一次性告知单。", "当场答复"),
    ("反映{item}今年还没到账，存折上{month}月以后一直没有这笔钱，要求查一下原因。",
     "登记身份证号和存折号，报镇民政办核查发放记录，三个工作日内回复。", "转镇民政办"),
    ("与邻居{neighbor}因{plot}宅基地边界发生争执，对方在界上砌墙，占了约{meters}米，双方吵了几次。",
     "安排村调解员{days}日内到现场丈量，约双方到调解室协商，劝双方不要动手。", "受理调解"),
    ("{plot}承包地被{neighbor}家种了两季，当年口头约定只种一年，现在要回不给。",
     "查阅第二轮承包台账，确认地块属于来访人，约双方调解，必要时报镇农经站。", "受理调解"),
    ("申请办理{kin}的{item}，家里{count}口人，{kin}常年生病不能劳动，收入很少。",
     "一次性告知所需材料：户口本、身份证、病历和收入说明，材料齐后代办员代为报送镇里。", "代办"),
    ("反映{group}路灯坏了{count}盏，晚上学生放学看不见路，已经一个多月没人修。",
     "登记位置，联系镇供电所和村保洁员，{days}日内修好后回访来访人。", "转办"),
    ("在{neighbor}承包的工地干活{days}天，工钱{amount}元一直没结，多次要不到。",
     "告知可向镇劳动保障所申请调解或拨打12333，村里先联系包工头了解情况。", "转镇劳动保障所"),
    ("家门口排水沟被{neighbor}家填平，下雨院子里积水，进了屋，要求恢复排水沟。",
     "到现场查看积水情况，组织双方和组长协商，由两家共同出工恢复排水。", "受理调解"),
    ("询问{item}怎么申请，{kin}刚办了残疾证，{level}级，不知道能享受哪些政策。",
     "讲解申请条件和流程，帮助在手机上提交申请，告知审核时限{days}个工作日。", "代办"),
    ("反映{plot}机井没电，春灌浇不上水，{group}十几户人家都着急。",
     "联系镇水利站和供电所查看线路，登记后跟踪办理进度。", "转办"),
    ("{kin}和{neighbor}家孩子在学校打架受伤，花了医药费{amount}元，对方家长不肯出钱。",
     "约双方家长到调解室协商医药费分担，请学校出具情况说明。", "受理调解"),
    ("想把户口从外地迁回{village}，{kin}结婚后一直没迁，现在办手续需要哪些材料。",
     "一次性告知迁入所需材料和派出所办理地点、时间，给了派出所电话。", "当场答复"),
    ("反映{group}有人在{plot}烧秸秆，烟很大，家里老人咳嗽，希望村里管一管。",
     "网格员当天到现场劝阻，宣传秸秆禁烧规定，做好记录。", "当场处理"),
    ("申请危房鉴定，房子是{year2}年盖的土坯房，后墙裂缝越来越大，下雨漏水。",
     "登记后报镇村建办安排鉴定，提醒雨天不要住在危险房间。", "转镇村建办"),
    ("与{kin}因赡养老人发生矛盾，兄弟几个都不愿意出钱，老人现在一个人住。",
     "约兄弟几个到村委会协商赡养协议，讲解赡养义务的法律规定。", "受理调解"),
    ("反映土地流转租金{amount}元没按合同给，合作社说今年收成不好要缓一缓。",
     "查看流转合同，约合作社负责人到村委会说明情况，督促按约定支付。", "受理调解"),
    ("询问{item}认证怎么做，手机上人脸识别一直不通过，怕停发。",
     "现场帮助完成认证，告知每年认证时间，留了代办员电话。", "当场答复"),
    ("反映{neighbor}家养的狗没拴，咬伤了{kin}，打疫苗花了{amount}元。",
     "约双方协商费用，告知养犬人拴养责任，必要时报派出所。", "受理调解"),
    ("{group}通组路被货车压坏，坑很多，电动车摔倒过几次，要求修路。",
     "登记路段位置，报镇交通办列入维修计划，先用砂石临时填平。", "转办"),
    ("对村里{item}评议结果有意见，认为自家条件比别人差却没评上，要求公开名单。",
     "解释评议程序和公示要求，告知可在公示期内提出书面异议，村监委会复核。", "当场答复"),
)

MONTHS = tuple(range(1, 13))


class VisitFaker:
    """Seeded generator of visit.logged payloads."""

    def __init__(self, seed: int = 20260301) -> None:
        self.rng = random.Random(seed)
        self.t = datetime(2026, 3, 2, 8, 30)
        self.officers = [(self._name(), self.rng.choice(POSTS)) for _ in range(40)]

    def _name(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) if r.random() < 0.35 else r.choice(GIVEN) + r.choice(GIVEN)
        return r.choice(SURNAMES) + given

    def _phone(self) -> str:
        r = self.rng
        return r.choice(("13", "15", "18", "17", "19")) + "".join(
            r.choice("0123456789") for _ in range(9))

    def _id_number(self, age: int) -> str:
        r = self.rng
        born = datetime(2026 - age, r.randint(1, 12), r.randint(1, 28))
        body = "411522" + born.strftime("%Y%m%d") + "".join(r.choice("0123456789")
                                                            for _ in range(3))
        return body + r.choice("0123456789X")

    def payload(self) -> dict[str, Any]:
        r = self.rng
        self.t += timedelta(minutes=r.randint(1, 25))
        if self.t.hour >= 18:
            self.t = (self.t + timedelta(days=1)).replace(hour=8, minute=r.randint(0, 40))
        age = r.randint(19, 88)
        village = r.choice(VILLAGES)
        matter, opinion, result = r.choice(SITUATIONS)
        slots = {"item": r.choice(ITEMS), "kin": r.choice(KIN), "year": r.choice((2025, 2026)),
                 "month": r.choice(MONTHS), "neighbor": self._name(), "plot": r.choice(PLOTS),
                 "meters": round(r.uniform(0.3, 3.5), 1), "days": r.randint(2, 7),
                 "count": r.randint(2, 9), "group": r.choice(GROUPS),
                 "amount": r.randrange(200, 30000, 10), "level": r.choice("一二三四"),
                 "village": village, "year2": r.randint(1978, 2002)}
        officer, post = r.choice(self.officers)
        out: dict[str, Any] = {
            "name": self._name(), "sex": r.choice(("男", "女")), "age": age,
            "phone": self._phone(), "address": village + r.choice(GROUPS),
            "visited_at": self.t.strftime("%Y-%m-%d %H:%M"), "place": r.choice(PLACES),
            "matter": matter.format(**slots), "officer": officer, "officer_post": post,
            "opinion": opinion.format(**slots), "result": result}
        if r.random() < 0.6:
            out["id_number"] = self._id_number(age)
        if r.random() < 0.15:
            out["remark"] = r.choice(("行动不便，由家属陪同", "已电话回访", "多次来访", "听力不好，"
                                      "已大声复述", "材料不全，下次补交", "情绪激动，已安抚"))
        return out
