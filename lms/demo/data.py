"""Fixed data the demo world is built from: the city's districts and name pools."""

from __future__ import annotations

#: (division code, name, relative population weight, ID region codes seen among residents).
#: Residents born before the 2018 reorganisation carry the old county codes in their ID numbers.
DISTRICTS = [
    ("140403", "潞州区", 30, ("140402", "140411", "140403")),
    ("140404", "上党区", 9, ("140421", "140404")),
    ("140405", "屯留区", 7, ("140424", "140405")),
    ("140406", "潞城区", 6, ("140481", "140406")),
    ("140423", "襄垣县", 7, ("140423",)),
    ("140425", "平顺县", 3, ("140425",)),
    ("140426", "黎城县", 4, ("140426",)),
    ("140427", "壶关县", 4, ("140427",)),
    ("140428", "长子县", 8, ("140428",)),
    ("140429", "武乡县", 4, ("140429",)),
    ("140430", "沁县", 3, ("140430",)),
    ("140431", "沁源县", 4, ("140431",)),
]

#: Region codes of people who moved to the city from elsewhere (太原, 晋城, 晋中, 临汾, 安阳).
INCOMER_REGIONS = ("140105", "140502", "140702", "141002", "410502")

SURNAMES = (
    "王李张刘郭赵杨武申牛段常秦郝韩崔冯贾靳栗原连陈周吴徐孙胡朱高马罗宋郑谢唐于董程曹"
    "袁许沈彭吕苏卢蒋蔡丁魏薛叶阎潘杜夏田任姜范石姚谭邹金陆孔白康毛秦史侯邵孟段雷尹乔贺"
)
FEMALE_GIVEN = (
    "丽娟敏静芳霞艳燕玲红婷雪慧琳晶欣悦佳怡倩丹萍英梅兰秀瑞蕾璐晓春文月琴洁颖莉薇楠"
    "媛婧妍茜瑶琪璇露蓉菲荣凤霞彩玉翠云"
)
MALE_GIVEN = "伟强磊军勇涛斌鹏浩宇杰刚建明亮波辉峰超鑫"

STREETS = (
    "英雄中路",
    "太行东街",
    "长兴路",
    "府后西街",
    "紫金街",
    "延安南路",
    "城隍庙街",
    "解放西街",
    "捉马村",
    "西白兔",
    "故县",
    "东大街",
    "北关",
    "南关",
    "新建街",
    "振兴路",
    "文化路",
    "康庄",
    "滨河路",
    "东关",
    "西街",
    "建设路",
    "人民路",
    "和平路",
    "光明路",
    "迎宾路",
    "府前街",
    "育才路",
    "朝阳路",
    "金桥路",
)
BRANDS = (
    "小太阳",
    "童心",
    "贝贝乐",
    "小橡树",
    "爱心宝贝",
    "启航",
    "彩虹桥",
    "蒲公英",
    "小脚丫",
    "星星点灯",
    "七色花",
    "乐乐熊",
    "春芽",
    "金色童年",
    "小海豚",
    "快乐宝贝",
    "暖阳",
    "萌芽",
    "小天使",
    "向日葵",
    "布丁",
    "禾苗",
    "小蜗牛",
    "花朵",
    "晨曦",
)
KINDERGARTENS = ("实验", "第一", "第二", "第三", "机关", "育英", "明德", "红星", "阳光", "博雅")
EMPLOYERS = ("人民医院", "妇幼保健院", "工业园区", "供电公司", "煤业公司", "中学", "农商银行")

#: Approximate institution mix by type for a 280-institution city (remainder: community points).
TYPE_SHARES = {
    "family_point": 0.24,
    "kindergarten_class": 0.14,
    "employer_run": 0.05,
    "private": 0.14,
}
#: Caregivers per institution by type (relative size when spreading the requested number).
STAFF_WEIGHT = {
    "city_centre": 24,
    "district_centre": 14,
    "community_point": 7,
    "family_point": 3,
    "kindergarten_class": 5,
    "employer_run": 8,
    "private": 9,
}
PLACES_PER_CAREGIVER = 5
