"""Where an article ends: the headings that start a scraped page's tail ("相关文章", "Further
reading"), the lines that close a post ("Thanks for reading", "祝大家顺利拿到 offer", "← Previous
| Next →") and the end markers ("—END—", "（全文完）")."""

from __future__ import annotations

import re

from llmiq.ingest.question_marks import SYMBOLS

#: Headings that start the part of a scraped page that is not the article any more.
TAIL_MARKERS = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?\s*(?:[一二三四五六七八九十]+[、.]\s*)?"
    r"(?:相关文章|相关推荐|相关阅读|推荐阅读|延伸阅读|猜你喜欢|热门文章|热门推荐|最新文章|往期推荐|"
    r"往期回顾|精彩推荐|参考资料|参考文献|参考链接|总结|小结|结语|写在最后|"
    r"前(?:面|几)几?篇(?:的)?链接|系列(?:文章|目录)|"  # "前面几篇的链接：", a series' other parts
    r"further\s+reading|related\s+(?:posts|articles|reading|questions)|you\s+may\s+also\s+like|"
    r"recommended(?:\s+(?:reading|posts|articles))?|read\s+more|more\s+from\s+\S.*|see\s+also|"
    r"references|conclusion|summary|final\s+thoughts|wrapping\s+up|"
    # a notebook's own to-do list after its questions
    r"(?:open\s+)?follow[\s-]*ups?|open\s+(?:items|threads|questions\s+for\s+me)|next\s+steps|"
    r"待跟进|待办事项|后续计划|"
    # a shared document's history
    r"change\s*log|revision\s+history|version\s+history|更新(?:记录|日志)|修订记录|版本记录)"
    r"\s*[:]?\s*(?:\*\*|__)?\s*[:]?\s*$",
    re.I,
)
#: Lines of the page around an article, after its last question: navigation, sign-offs,
#: promotion, comments, tags, copyright, scoring guides.
END_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:#{1,6}\s*)?" + SYMBOLS + r"(?:\*\*|__)?\s*(?:"
    r"[←⟵«‹<]+\s*(?:previous|prev|older|上一篇|上一页|上一节)"
    r"|(?:上一篇|下一篇|上一节|下一节|previous\s+(?:post|article|chapter)|next\s+(?:post|article|chapter))"
    r"\s*[:|]"
    r"|.{0,60}(?:next|newer|下一篇|下一页)\s*(?:[:]\s*.{0,80})?[→⟶»›>]+\s*$"
    r"|(?:thanks?|thank\s+you)\s+for\s+reading|感谢(?:您的?|大家的?)?(?:阅读|观看)|谢谢(?:大家的?)?阅读"
    r"|happy\s+(?:learning|coding|interviewing|studying)|good\s+luck\b|have\s+fun\b"
    r"|祝(?:大家|你|各位)?.{0,6}顺利"
    # a short closing line that signs off: "No notes on the rest. Good luck everyone!"
    r"|.{0,120}[.!]\s+good\s+luck(?:\s+(?:everyone|all|to\s+(?:all|everyone|you)))?\s*[!.]*\s*$"
    r"|(?:以上[，,。!！]\s*)?祝(?:大家|你|各位)(?:都|早日)?.{0,16}(?:顺利|offer|上岸|成功|好运)"
    r"|.{0,20}(?:扫码|扫描二维码|长按(?:识别)?二维码).{0,30}"
    r"|(?:欢迎)?关注(?:我的?|本)?(?:公众号|微信公众号)"
    r"|(?:subscribe|sign\s+up)\s+(?:to|for)\s+(?:my|our|the)\b"
    # a blog's sign-off asking for claps or comments: "If you want part 2, clap so I know",
    # "I'd love to hear which ones …", "Which question would you add to this list?"
    r"|.{0,60}\bclap(?:s|ping)?\s+(?:so|if|for|to)\b"
    r"|.{0,80}\bi(?:['’]d|\s+would)\s+love\s+to\s+hear\b"
    r"|if\s+you\s+are\s+preparing\s+for\s+an?\s+[\w\s-]{0,30}\b(?:role|interview|loop)\b"
    r"|(?:what|which)\s+questions?\s+would\s+you\s+add\b"
    r"|(?:let\s+me\s+know|tell\s+me|drop\s+(?:it|them|a\s+comment))\s+(?:in|below)\b"
    r"|if\s+you\s+(?:enjoyed|liked|found|got\s+(?:value|something)\s+(?:from|out\s+of))\s+"
    r"(?:this|these)"
    r"|(?:follow\s+(?:me|us)\s+(?:on|for)|clap\b|👏|share\s+this\s+(?:post|article))"
    # a social post's close: "Repost if this helps", "Follow Jane Doe for more", its hashtags
    # ("#LLM #AI": the first "#" is taken as a heading mark above) and its counts
    r"|repost\b|follow\s+\S.{0,40}\s+for\s+more\b"
    r"|(?:internal|confidential)(?:\s+use(?:\s+only)?)?\s*[—–:,.-]\s*(?:please\s+)?"
    r"(?:do\s+not|don['’]t)\s+(?:share|distribute|forward)"
    # a talk's last slide: "Thanks! Questions?", "Next session: Part 3"
    r"|thank(?:s|\s+you)[!.,]*\s*(?:any\s+)?questions\s*\?|(?:any\s+)?questions\s*\?\s*$"
    r"|next\s+(?:session|week|time|lecture|class|talk|part)\s*[:：]"
    # a documentation page's pointer onward: "Want more? The next page covers inference."
    r"|(?:want\s+more\s*\?\s*)?(?:the\s+)?next\s+(?:page|chapter|section|lesson)\s+"
    r"(?:covers|is\s+about|goes\s+(?:into|over)|looks\s+at)\b"
    r"|下一(?:页|章|节)(?:我们)?(?:将|会)?(?:介绍|讲|聊)"
    r"|(?<=#)[\w\u4e00-\u9fff-]+(?:\s+#[\w\u4e00-\u9fff-]+)+\s*$"
    r"|.{0,40}\b\d+\s+comments?\s*[·•|,]\s*\d+\s+(?:reposts?|shares?|likes?)\b"
    r"|share(?:\s+(?:this|on))?\s*[:：]|分享到\s*[:：]"
    # a post's footer and its comments on Chinese sites: "编辑于 2024-05-06・IP 属地北京",
    # "赞同 326", "27 条评论"; a study pack's close: "请勿外传", "更多资料请加群"
    r"|(?:编辑于|发布于|发表于)\s*(?:\d{2,4}[-/.年]|昨天|今天|\d{1,2}[-/月])|.{0,30}\bIP\s*属地"
    r"|赞同\s*\d+|\d+\s*条(?:评论|回复|留言)"
    r"|.{0,30}(?:请勿外传|仅供.{0,8}学习交流)|更多.{0,12}(?:加群|进群|加微信|私信)"
    r"|[«‹←]\s*\S.{0,80}[»›→]\s*$"  # "« Previous set   Next set »"
    r"|(?:\d+\s*)?(?:comments?|responses?|评论区?|留言|全部评论|精选留言|(?:课程)?讨论区?)\s*(?:\((?:共\s*)?\d+\s*条?\)|\d+\s*条)?\s*[:]?\s*$"
    r"|leave\s+a\s+(?:comment|reply)|发表评论|写下你的评论"
    # a forum thread's own chrome under the post: "Upvote 142 Downvote", "Go to comments"
    r"|(?:upvote|downvote)\s*\d*\s*$|go\s+to\s+comments|sort\s+by\s*:|add\s+a\s+comment\s*$"
    r"|(?:tags?|标签|分类|categories|filed\s+under)\s*[:]"
    r"|版权声明|copyright\b|©|本文(?:为|系)?(?:原创|转载)|未经(?:作者)?(?:允许|许可)"
    r"|(?:scoring(?:\s+guide)?|how\s+did\s+you\s+(?:do|score)|your\s+score|评分(?:标准|参考|说明)|计分(?:方式|标准))"
    r"|命题人|审核人|出题人"
    # an interview report's close: the candidate's own questions, the outcome, a wish
    r"|反问(?:环节|阶段)?\s*(?:\*\*|__)?\s*[:：]|反问(?:环节|阶段)\s*(?:\*\*|__)?\s*$"
    r"|(?:my\s+)?questions\s+(?:for|to)\s+(?:the\s+)?interviewers?\s*:"
    # an author's sign-off: "以上，后续会继续更新", "有错误欢迎指出"
    r"|以上[，,]?\s*(?:后续|之后|以后)?(?:会)?(?:继续|持续)更新"
    r"|(?:本篇|本文|今天|这篇|这期|本期)(?:就)?(?:先)?(?:分享|写|聊|整理)?到这里"
    r"|posted\s+@\s+\d{4}-\d"  # 博客园's post footer
    r"|(?:以上[^，,。]{0,6}[，,]?\s*)?(?:如果|如|若)?有(?:错误|錯誤|错漏|不对|不對|问题|問題)(?:之处|之處)?[，,]?\s*"
    r"(?:欢迎|歡迎).{0,6}(?:指出|指正|批评|批評)"
    # a post's plea and plug: "觉得有用的话点个赞吧", "更多面经欢迎关注专栏"
    r"|(?:以上[，,。]?\s*)?(?:[^，,。]{0,16}[，,]\s*)?(?:如果)?(?:觉得|覺得)(?:有用|有帮助|有幫助|不错|不錯)"
    r".{0,6}(?:点|點|赞|讚|收藏|转发|轉發|分享)"
    r"|本文(?:分享|转载|转自)自?\s*(?:微信公众号|公众号|知乎|CSDN|掘金)"  # a site's repost footer
    r"|更多.{0,10}(?:欢迎|歡迎|请|請)?关注(?:专栏|專欄|我|公众号|公眾號)"
    r"|下一(?:弹|期|篇)预告|.{0,12}[做答]对(?:了)?几(?:道|题)|评论区(?:告诉|见|聊)|整理不易|点赞收藏(?:不迷路|一下)"
    r"|许愿|攒人品|求\s*offer|.{0,80}(?:许愿|求)\s*offer\s*[!！~～]*\s*$"  # "…，许愿 offer！"
    r"|友情链接\s*$|.{0,20}ICP\s*备\s*\d+号"  # a Chinese site's footer
    # the series' next part, and 简书's page under a post
    r"|下一篇(?:是|会|将|讲|继续|写|更新|预计)|.{0,10}就在简书\s*APP"
    r"|.{0,60}\blearning\s+series\b|to\s+practice\s+(?:all|more)\s+(?:areas|questions|topics)\b"
    r"|if\s+you\s+(?:find|spot|notice)\s+(?:a|an|any)\s+(?:mistake|error|typo)"
    r"|(?:todo|to-?do\s+list|待办|参考资料|参考文献|references|further\s+reading|延伸阅读|推荐阅读"
    r"|相关阅读|相关文章|related\s+(?:posts|articles|reading))\s*(?:\*\*|__)?\s*[:：]?\s*$"
    r"|how\s+many\s+did\s+you\s+get|if\s+you\s+(?:scored|got\s+\d+)|you\s+scored\b|score\s+yourself"
    r"|(?:[—–-]+\s*)?end\s+of\s+(?:the\s+)?(?:practice\s+)?"  # "— End of exam —"
    r"(?:quiz|test|notebook|exam|question\s+(?:bank|set)|questions)"
    r"|found\s+(?:these|this)\s+useful"
    r"|get\s+(?:one|an?|\d+)\s+.{0,40}\s+in\s+your\s+inbox"
    r"|that(?:['’]?s|\s+is)\s+(?:all|a\s+wrap|it\s+for|it(?=[.!])|everything"
    r"|part\s+\d+\b|q\d+\s*[–—-]\s*q?\d+\b"  # a thread's close: "That's part 2.", "That's Q11–Q20."
    r"|(?:the|my)\s+(?:list|lot|end|thread|set|quiz|round"
    r"|(?:whole|full|entire|complete)\s+\w+))(?:\b|$)|hope\s+(?:this|these)\s+(?:helps?|questions)"
    r"|book\s+a\s+(?:mock|free|call|session)|preparing\s+for\s+(?:an?\s+)?[\w\s-]{0,30}interview\s*\?"
    r"|以上就是|(?:本期|今天|本文)(?:的)?(?:内容)?(?:就)?(?:分享|整理|介绍)?到这里"
    r"|(?:有问题|有疑问|欢迎|大家)[^。]{0,10}(?:评论|留言|讨论|交流)"
    r")",
    re.I,
)
#: Lines that end an article: "—END—", "(完)", "The End".
END_MARKER = re.compile(
    r"^\s*[-—–=_*~]*\s*[(（【\[]?\s*(?:END|完|全文完|试卷结束|考试结束|全卷完|本卷完|the\s+end)\s*[)）】\]]?"
    r"\s*[-—–=_*~]*\s*$"
    r"|^\s*(?:本文完|全文完|正文完)\s*[。.!！]"  # "本文完。码字不易，……"
    r"|^\s*[-—–=_*~]{2,}\s*[^-—–=_*~]{0,20}(?:到此结束|全部结束)\s*[-—–=_*~]{2,}\s*$",
    re.I,
)
