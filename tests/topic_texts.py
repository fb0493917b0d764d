"""Articles for the topic tests, written for them after the kinds real outlets publish (none is taken
from an outlet): the kinds the default topic used to miss, the kinds that used to leak through, and
stories of another kind that share the topic's words."""

#: Short bulletins about health-insurance and hospital systems: they name a system, a cloud, a
#: platform or a code rather than 数字化/信息化, often in under 100 characters.
BULLETINS = {
    "settlement-system": (
        "市医保结算系统完成升级",
        "本市医保结算系统日前完成升级，参保人在定点医院出院时可当场完成医保报销，不再垫付。"),
    "insurance-cloud": (
        "省医保云正式上线运行",
        "近日，全省统一的医保云正式上线，各统筹区业务集中在云上办理，异地就医备案即时办结。"),
    "query-service": (
        "国家医保服务平台新增备案进度查询",
        "参保群众登录国家医保服务平台APP，即可查询异地就医备案办理进度和结算记录。"),
    "cloud-film": (
        "县人民医院启用云胶片",
        "县人民医院近日启用云胶片，患者做完CT检查后扫码即可在手机上查看影像和报告，无需排队取胶片。"),
    "health-code": (
        "就医一码通用在全市推开",
        "全市二级以上医院实现电子健康卡、医保码就医一码通用，患者挂号、缴费、取报告只需出示一个码。"),
    "credit-care": (
        "信用就医服务覆盖全区社区卫生服务中心",
        "参保人开通信用就医后，在社区卫生服务中心看病可先诊疗后付费，费用由系统按月自动结算。"),
    "brain-computer": (
        "首例脑机接口临床试验患者出院",
        "医院神经外科团队为一名高位截瘫患者植入脑机接口装置，术后患者可通过意念控制机械臂完成饮水。"),
    "appointment-kiosk": (
        "自助挂号机进驻乡镇卫生院",
        "乡镇卫生院新配备自助挂号机，村民刷身份证即可挂号缴费，并可查询检验结果。"),
}

#: A story about the digital economy that names health care once, in a list of sectors.
DIGITAL_ECONOMY = (
    "数字经济规模再创新高 数据要素市场加快培育",
    "国家数据局日前发布的报告显示，去年我国数字经济规模继续扩大，数字经济核心产业增加值占国内生产总值的比重"
    "进一步提高。报告指出，各地加快建设全国一体化算力网络，推进公共数据资源开发利用，数据要素市场化配置改革"
    "取得积极进展。\n\n"
    "报告提出，要深入实施“数据要素×”行动，推动数据在工业制造、现代农业、商贸流通、交通运输、金融服务、"
    "科技创新、文化旅游、医疗健康、应急管理等领域的融合应用，培育一批数据服务商和第三方专业服务机构。"
    "同时，加快完善数据产权、流通交易、收益分配和安全治理等基础制度，建立健全数据安全保护体系。\n\n"
    "业内专家表示，人工智能大模型的快速发展对高质量数据集提出了更高要求，下一步应加强数据标注产业布局，"
    "推动算力、算法、数据协同发展，为数字中国建设提供有力支撑。",
)

#: A smart-city story: the health commission named once among the departments a platform connects.
SMART_CITY = (
    "城市运行管理中心建成投用 实现“一屏统览”",
    "市城市运行管理中心日前建成投用。中心汇聚全市政务数据资源，建有数据资源、监测预警、调度指挥等平台，"
    "可对城市运行状态实时监测分析，遇到暴雨、内涝等突发事件时实现跨部门联动调度。\n\n"
    "据介绍，中心首批接入市政府办公厅、市生态环境局、市卫生健康委、市交通局等30余个部门的业务系统，"
    "建成政务服务、城市治理、生态环境等应用场景。下一步将推进更多部门系统接入，提升城市治理智能化水平。",
)

#: Health news with weak digital words scattered through it (数据 of the fund's figures, 平台 and
#: 线上 of a campaign): nothing about informatization.
FUND_FIGURES = (
    "去年医保基金收支平稳 统筹基金累计结存充足",
    "记者从国家医保局获悉，根据全国医保基金快报数据，去年基本医疗保险基金总收入和总支出均保持平稳增长，"
    "统筹基金当期收支平衡、略有结余。其中职工医保基金收入增长较快，居民医保基金支出增速有所放缓。\n\n"
    "国家医保局有关负责人表示，以上数据为初步汇总数据，最终数据以决算为准。下一步将继续完善医保支付方式改革，"
    "推进药品和医用耗材集中带量采购，减轻参保患者就医负担。各地还将通过线上线下相结合的方式开展医保政策宣传，"
    "依托政务服务平台解答群众关心的报销问题。",
)

#: Stories of another kind that share the topic's words.
MARKET = (
    "医疗信息化板块午后拉升 多只个股涨停",
    "周三午后，医疗信息化概念股集体走强，板块指数涨超4%，多只个股涨停，主力资金净流入超过10亿元。"
    "分析人士认为，智慧医院建设提速带动相关公司订单增长，但短期涨幅较大，投资者需注意估值风险。",
)
INSURANCE_SALES = (
    "百万医疗险新品上线 投保年龄放宽至70岁",
    "某保险公司近日推出一款百万医疗险，投保年龄放宽至70岁，保额最高600万元，首年保费最低百余元。"
    "产品支持线上投保，保单生效后可享受住院费用直付、在线问诊和药品配送等健康服务，续保条件较以往宽松。",
)
PRODUCT_LAUNCH = (
    "新款智能手表发布 支持血压监测",
    "某手机厂商昨日举行新品发布会，推出新款智能手表，售价1999元起，下周开售。"
    "新品支持心率、血氧和血压监测，数据可同步至手机健康APP，续航最长可达14天。",
)

#: On topic, and naming in passing the words the exclude groups look for.
HOSPITAL_APP = (
    "医院上线“掌上医院” 手机就能看报告",
    "市第一人民医院“掌上医院”小程序近日上线，患者用手机即可完成预约挂号、缴费和检验报告查询。"
    "医院信息科负责人介绍，系统与医保结算平台对接，患者用手机扫码即可医保支付，高峰时段排队时间缩短一半。"
    "医院还在手机端开通互联网医院复诊服务，慢病患者可在线开具电子处方、药品配送到家。",
)
