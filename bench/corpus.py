"""Generated articles for the benchmarks: distinct on-topic stories, a share off topic, edited reprints.

Bodies are sentences of words drawn at random from a health-IT vocabulary with random numbers and
place names, so two different stories share few 4-character shingles (they are not clustered
together), while a reprint keeps most of its original's sentences (it must be).
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from monitor.window import BEIJING

PLACES = ("北京", "上海", "天津", "重庆", "河北", "山西", "辽宁", "吉林", "江苏", "浙江", "安徽", "福建", "江西",
          "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
          "广西", "西藏", "宁夏", "新疆", "内蒙古", "黑龙江", "深圳", "杭州", "成都", "武汉", "西安", "苏州")
TOPIC_HEADLINES = ("智慧医院建设提速", "电子病历互联互通全面推进", "互联网医院服务再扩容", "医疗大数据平台上线",
                   "远程医疗覆盖基层", "电子健康档案向居民开放", "医保电子凭证一码通用", "医疗AI辅助诊断落地",
                   "全民健康信息平台升级", "数字健康服务惠及群众", "智慧医疗助力分级诊疗", "卫生信息化建设方案印发")
OFF_HEADLINES = ("秋粮收购进度过半", "新能源汽车出口增长", "文旅消费持续升温", "港口货物吞吐量创新高",
                 "制造业投资保持增长", "冬季用电负荷攀升")
TOPIC_WORDS = ("医院", "医疗", "卫生", "健康", "患者", "诊疗", "医保", "医生", "电子病历", "互联网医院", "智慧医院",
               "数据", "大数据", "信息化", "数字化", "人工智能", "平台", "智能", "远程医疗", "电子健康档案", "医疗机构",
               "临床", "处方", "门诊", "挂号", "算力", "大模型", "互联互通", "信息系统", "基层")
FILLER = ("推进", "建设", "完善", "加快", "持续", "服务", "群众", "部门", "工作", "机制", "体系", "水平", "能力",
          "全面", "实现", "提升", "统筹", "保障", "创新", "试点", "标准", "管理", "应用", "覆盖", "开放", "共享",
          "安全", "规范", "融合", "发展", "改革", "协同", "便利", "效率", "质量", "治理", "网络", "系统", "流程",
          "区域", "城市", "乡村", "居民", "企业", "项目", "资金", "政策", "方案", "目标", "任务", "重点", "环节")
OFF_WORDS = ("粮食", "收购", "价格", "市场", "消费", "出口", "港口", "货物", "制造业", "投资", "用电", "负荷",
             "旅游", "假期", "企业", "订单", "物流", "产业链", "汽车", "能源")


def sentence(rng: random.Random, on_topic: bool) -> str:
    pool = TOPIC_WORDS if on_topic else OFF_WORDS
    words = [rng.choice(pool) if rng.random() < 0.35 else rng.choice(FILLER) for _ in range(rng.randint(9, 14))]
    words.insert(rng.randrange(len(words)), f"{rng.randint(2, 980)}{rng.choice(('家', '个', '万人次', '项', '%'))}")
    return f"{rng.choice(PLACES)}{''.join(words)}。"


def story(rng: random.Random, on_topic: bool = True) -> tuple[str, list[str]]:
    """(title, paragraphs) of a new story."""
    headline = rng.choice(TOPIC_HEADLINES if on_topic else OFF_HEADLINES)
    title = f"{rng.choice(PLACES)}{headline} {rng.choice(FILLER)}{rng.choice(FILLER)}{rng.randint(1, 99)}项举措"
    paragraphs = [sentence(rng, on_topic) + sentence(rng, on_topic) for _ in range(rng.randint(5, 8))]
    return title, paragraphs


def reprint(rng: random.Random, title: str, paragraphs: list[str]) -> tuple[str, list[str]]:
    """An edited copy: one paragraph rewritten, an editor's line added, sometimes a new headline suffix."""
    edited = list(paragraphs)
    edited[rng.randrange(len(edited))] = sentence(rng, True)
    edited.append(f"（转载自{rng.choice(PLACES)}日报，编辑：{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice('明华静伟芳')}）")
    return (title if rng.random() < 0.5 else f"{title}（转载）"), edited


def moment(rng: random.Random, since: date, days: int) -> datetime:
    day = since + timedelta(days=rng.randrange(days))
    return datetime(day.year, day.month, day.day, rng.randint(6, 22), rng.randrange(60), tzinfo=BEIJING)
