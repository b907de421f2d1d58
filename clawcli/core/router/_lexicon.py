"""Multilingual cue tables for the routing classifier (data, not logic).

Each group names one kind of signal (what the request asks for, or how it is shaped) and lists
terms per language (en, zh, ja, ru, de, es, pt, ko, ar), separated by ``|``.

Term syntax (see ``_features.py`` for the matcher):
- Latin, Cyrillic and Arabic terms match whole words (``important`` never matches ``import``);
  a trailing ``*`` makes the last word a prefix (``доказ*`` matches ``докажите``); several words
  make a phrase that must appear in that order (punctuation between them is ignored).
- Chinese, Japanese and Korean terms match as substrings (those scripts have no word boundaries;
  Korean attaches particles to words). Longest match wins at a position, so a neutral compound
  listed in ``_stop`` (``要求``, "requirement") stops a shorter cue inside it (``求``, "find").
- Arabic text and terms are normalised (diacritics dropped, alef forms unified) and one leading
  clitic (و، ف، ب، ل، ال ...) may be attached to a word.

Terms were written for the rubric in ``shared/eval/RUBRIC.md``, never copied from evaluation data.
"""

from __future__ import annotations

LEXICON: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ SIMPLE-leaning
    "greeting": {
        "en": "hi|hello|hey|hiya|howdy|thanks|thank you|thx|ty|cheers|good morning|good night|"
        "good evening|good afternoon|bye|goodbye|see you|lol|haha|lmao|rofl|how are you|who are you|"
        "who am i talking to|you're the best|appreciate it|sounds good|got it|nice one|awesome|ok thanks",
        "zh": "你好|您好|谢谢|多谢|感谢|哈哈|早上好|早安|晚安|晚上好|再见|拜拜|你是谁|辛苦了|太棒了|好的|嗨",
        "ja": "こんにちは|こんばんは|おはよう|ありがとう|よろしく|さようなら|おやすみ|お疲れ|どうも|あなたは誰",
        "ru": "привет|здравствуйте|здравствуй|спасибо|благодарю|доброе утро|добрый день|добрый вечер|"
        "спокойной ночи|пока|до свидания|ты лучший|хаха|кто ты",
        "de": "hallo|servus|moin|danke|dankeschön|vielen dank|guten morgen|guten tag|guten abend|gute nacht|"
        "tschüss|wer bist du|alles klar",
        "es": "hola|gracias|muchas gracias|buenos días|buenas tardes|buenas noches|adiós|hasta mañana|"
        "hasta luego|jaja|jajaja|qué tal|quién eres|eres el mejor",
        "pt": "olá|oi|obrigado|obrigada|bom dia|boa tarde|boa noite|tchau|até logo|até amanhã|kkk|"
        "tudo bem|tudo certo|quem é você|valeu",
        "ko": "안녕|고마워|고맙습니다|감사합니다|감사해요|ㅋㅋ|ㅎㅎ|좋은 아침|잘 자|수고하셨|반가워|누구세요",
        "ar": "مرحبا|اهلا|السلام عليكم|شكرا|شكرًا|جزيلا|صباح الخير|مساء الخير|تصبح على خير|مع السلامة|وداعا|من انت",
    },
    "heartbeat": {
        "en": "heartbeat|ping|status check|health check|check-in|check in|any updates|any new|anything new|"
        "still there|are you there|are you alive|if none|if nothing|if not reply|reply only|only reply|"
        "just reply|reply with ok|respond with ok|periodic check|routine check|unread|new messages|"
        "no_updates|heartbeat_ok|reminder check|reply none|reply yes|reply no|anything due|any alerts|"
        "any meetings",
        "zh": "心跳|状态检查|例行检查|有没有新|有新的|如果没有|如无|仅回复|只回复|还在吗|定时检查",
        "ja": "ハートビート|定期チェック|死活監視|新着|なければ|のみ返信|だけ返して|だけ返信|状況確認|生きてる",
        "ru": "проверка статуса|пинг|есть ли новые|если нет|если ничего|ответь только|на связи|"
        "периодическая проверка|плановая проверка",
        "de": "statusprüfung|statusabfrage|gibt es neue|falls nicht|falls keine|wenn nichts|antworte nur|"
        "regelmäßige prüfung|bist du noch da",
        "es": "comprobación de estado|chequeo|hay nuevos|hay nuevas|si no hay|responde solo|"
        "responde únicamente|sigues ahí|revisión periódica",
        "pt": "verificação de status|checagem|há novos|há novas|se não houver|responda apenas|responda só|"
        "ainda está aí|verificação periódica",
        "ko": "상태 확인|상태 점검|정기 점검|새로운 알림|새 메시지|없으면|만 답해|만 응답|살아 있",
        "ar": "فحص دوري|فحص الحالة|هل توجد|هل يوجد|اذا لم|إذا لم|اجب فقط|أجب فقط|نبض",
    },
    "fact_question": {
        "en": "what is|what's|what are|who is|who was|who wrote|who painted|who invented|who discovered|"
        "who developed|who founded|when did|when was|when is|where is|where was|how many|how much|"
        "how long|how tall|how old|how far|how big|capital of|what year|what time|what day|is it true|"
        "population of|largest|smallest|tallest|biggest|default port|which country|which planet",
        "zh": "什么是|是什么|是谁|谁是|谁写|哪个|哪一|哪里|哪儿|多少|几个|几点|什么时候|首都|多高|多大|多远|多长|吗？",
        "ja": "とは|何|誰|いつ|どこ|どれ|いくつ|何個|何度|何年|何人|首都|ですか|は？",
        "ru": "что такое|кто|когда|где|какой|какая|какое|какие|сколько|столица|в каком году|как называется",
        "de": "was ist|wer|wann|wo|welche|welcher|welches|wie viele|wie viel|wie lange|wie hoch|wie alt|"
        "hauptstadt|in welchem jahr",
        "es": "qué es|quién|cuándo|dónde|cuál|cuáles|cuántos|cuántas|cuánto|cuánta|capital de|en qué año",
        "pt": "o que é|quem|quando|onde|qual|quais|quantos|quantas|quanto|quanta|capital de|em que ano",
        "ko": "무엇|뭐예요|뭐야|뭔가요|누구|언제|어디|어느|몇|얼마|수도|인가요|나요",
        "ar": "ما هو|ما هي|من هو|من هي|من كتب|من اخترع|متى|اين|كم|عاصمة|في اي عام|ماذا",
    },
    "translate": {
        "en": "translate|translation|how do you say|how do i say|in english|in french|in spanish|in german|"
        "in italian|in japanese|in chinese|into english|into french|into italian|into spanish|into german|"
        "into japanese|into chinese",
        "zh": "翻译|翻成|译成|英文怎么说|用英语|怎么说|翻訳",
        "ja": "翻訳|英語で|英語に|日本語で|日本語に|訳して|訳すと|なんて言う|何と言う",
        "ru": "переведи|перевести|перевод|по-английски|на английский|на английском|как сказать|как будет",
        "de": "übersetze|übersetzen|übersetzung|auf englisch|auf deutsch|ins englische|ins deutsche|wie sagt man|"
        "was heißt",
        "es": "traduce|traducir|traducción|en inglés|al inglés|en alemán|cómo se dice",
        "pt": "traduza|traduzir|tradução|em inglês|para o inglês|em alemão|como se diz",
        "ko": "번역|영어로|한국어로|일본어로|뭐라고 해|어떻게 말해",
        "ar": "ترجم|ترجمة|بالانجليزية|الى الانجليزية|كيف اقول|كيف تقول",
    },
    "define": {
        "en": "define|definition|meaning|mean|means|stand for|stands for|acronym|abbreviation|full name|"
        "full form|short for|what does",
        "zh": "什么意思|含义|定义|全称|缩写|代表什么",
        "ja": "意味|定義|略|正式名称",
        "ru": "что значит|что означает|значение|определение|расшифровывается|аббревиатура",
        "de": "was bedeutet|bedeutung|definition|definiere|abkürzung|steht für",
        "es": "qué significa|significado|definición|define|abreviatura|siglas",
        "pt": "o que significa|significado|definição|defina|sigla|abreviação",
        "ko": "뜻|의미|정의해|약자|줄임말",
        "ar": "ماذا يعني|معنى|عرف|اختصار",
    },
    "brevity": {
        "en": "one line|one sentence|one word|briefly|in short|short answer|yes or no|just curious|"
        "quick question|only the answer|just the answer|in plain english|more or less|roughly|tl;dr",
        "zh": "一句话|简单回答|简短|一个词|大概",
        "ja": "一言で|簡潔に|はいかいいえ|ひとことで|手短に|ざっくり",
        "ru": "одним словом|в двух словах|кратко|коротко|да или нет|просто интересно|примерно",
        "de": "in einem satz|ja oder nein|nur die antwort|ungefähr|kurz gesagt",
        "es": "brevemente|en una frase|sí o no|en pocas palabras|más o menos|aproximadamente",
        "pt": "brevemente|em uma frase|sim ou não|em poucas palavras|mais ou menos|aproximadamente",
        "ko": "한 줄|한마디|간단히|짧게|예 또는 아니오|대략",
        "ar": "باختصار|بجملة واحدة|نعم ام لا|بايجاز|تقريبا",
    },
    "identify": {
        "en": "what language|which language|what file format|what format|which format|what kind of file|"
        "what type of file|which programming language|what encoding|what file type|what format is this|"
        "what kind of format|which file format",
        "zh": "什么语言|哪种语言|什么格式|哪种格式|什么文件",
        "ja": "何語|何の言語|どの言語|何の形式|何のファイル|どのフォーマット",
        "ru": "какой это язык|на каком языке|какой формат|какой это формат",
        "de": "welche sprache|welches format|welches dateiformat|was für eine datei",
        "es": "qué idioma|qué lenguaje|qué formato|en qué idioma",
        "pt": "que idioma|qual idioma|que linguagem|qual linguagem|que formato|qual formato",
        "ko": "어떤 언어|무슨 언어|어느 언어|무슨 형식|어떤 형식|무슨 파일",
        "ar": "ما اللغة|اي لغة|ما هذه اللغة|ما الصيغة|اي صيغة|ما نوع الملف",
    },
    "command_question": {
        "en": "what command|which command|the command|command to|shell command|terminal|in linux|in bash|"
        "keyboard shortcut|shortcut|how do i check|how to check|how do i see|how can i see|how do i find out|"
        "from the terminal|what flag|which flag",
        "zh": "命令|指令|快捷键|终端|怎么查看|如何查看",
        "ja": "コマンド|ショートカット|ターミナル|確認する方法|表示する",
        "ru": "командой|какой командой|терминал|терминале|горячие клавиши|как посмотреть|как узнать",
        "de": "befehl|kommando|terminal|tastenkürzel|wie sehe ich|wie finde ich heraus",
        "es": "comando|atajo|terminal|cómo veo|cómo ver|cómo compruebo",
        "pt": "comando|atalho|terminal|como vejo|como ver|como verifico",
        "ko": "명령어|단축키|터미널|확인하는 방법|확인하려면",
        "ar": "الامر|امر|اختصار|الطرفية|كيف اعرض|كيف اتحقق",
    },
    "trivial_edit": {
        "en": "typo|typos|spelling|misspellings|punctuation|capitalize|capitalise|uppercase|lowercase|"
        "date format|as dd/mm/yyyy|format the date|format this date|title case",
        "zh": "错别字|拼写|标点|大写|小写|日期格式",
        "ja": "誤字|脱字|スペル|句読点|大文字|小文字|日付の形式",
        "ru": "опечатк*|орфограф*|пунктуац*|заглавн*|формат даты",
        "de": "tippfehler|rechtschreib*|zeichensetzung|großbuchstaben|datumsformat",
        "es": "errores tipográficos|erratas|ortografía|puntuación|mayúsculas|formato de fecha",
        "pt": "erros de digitação|ortografia|pontuação|maiúsculas|formato de data",
        "ko": "오타|맞춤법|띄어쓰기|대문자|날짜 형식",
        "ar": "اخطاء املائية|الاملاء|علامات الترقيم",
    },
    # ------------------------------------------------------------------ MEDIUM-leaning
    "write": {
        "en": "write|draft|compose|email|e-mail|letter|message|post|poem|story|limerick|haiku|essay|blog|"
        "tweet|caption|slogan|tagline|description|announcement|invitation|speech|toast|cover letter|"
        "bio|ad|lyrics|song|joke|jokes|feedback|outline|headline|newsletter|note|script|ideas|brainstorm|"
        "suggestions|names",
        "zh": "写|撰写|起草|邮件|信|文案|诗|故事|短文|演讲稿|通知|广告|标题|回复|朋友圈|小红书|段子|作文",
        "ja": "書いて|書く|作成して|メール|手紙|文章|詩|物語|お知らせ|案内|スピーチ|キャッチコピー|紹介文|投稿|返信|例文",
        "ru": "напиши|написать|составь|сочини|письмо|сообщение|пост|стихотворение|стих|рассказ|объявление|"
        "поздравление|текст|речь|отзыв",
        "de": "schreib|schreibe|schreiben|verfasse|e-mail|mail|brief|nachricht|gedicht|geschichte|ankündigung|"
        "einladung|rede|text|beitrag|anzeige|glückwunsch",
        "es": "escribe|escribir|redacta|redactar|correo|carta|mensaje|poema|cuento|historia|anuncio|invitación|"
        "discurso|publicación|texto|felicitar|felicitación",
        "pt": "escreva|escrever|redija|redigir|e-mail|carta|mensagem|poema|conto|história|anúncio|convite|"
        "discurso|post|texto|legenda",
        "ko": "써 주세요|써줘|써주세요|작성해|글을|메일|편지|메시지|시를|이야기|공지|안내문|연설|광고|문구|답변 예시|소개글|판매 글",
        "ar": "اكتب|صياغة|صغ|رسالة|بريد|قصيدة|قصة|اعلان|دعوة|خطاب|منشور|نص|تهنئة",
    },
    "explain": {
        "en": "explain|describe|why does|why do|why is|how does|difference between|differences between|"
        "what's the difference|what is the difference|eli5|teach me|help me understand|overview|introduce|"
        "walk me through|tell me about|when to use|when should i|when i'd use|beginner|beginners|"
        "simple terms|layman|for kids|to a child|year-old|non-technical|newbie",
        "zh": "解释|讲解|介绍|说明|区别|差别|为什么|为何|通俗|简单的语言|初学者|新手|小白|入门|初中生|高中生|小学生|大学生|孩子",
        "ja": "説明|解説|教えて|違い|なぜ|どうして|初心者|わかりやすく|やさしく|入門|新入社員",
        "ru": "объясни|объясните|объяснить|расскажи|опиши|разница|разницу|различие|отличие|почему|зачем|"
        "новичку|новичка|простыми словами|для начинающих",
        "de": "erkläre|erklär|erklären|beschreibe|unterschied|warum|wieso|weshalb|anfänger|einsteiger|"
        "berufseinsteiger|einfach erklärt|verständlich",
        "es": "explica|explícame|explícale|explicar|describe|diferencia|diferencias|por qué|principiante|"
        "sencillo|sencillos|fácil de entender",
        "pt": "explique|explica|explicar|descreva|diferença|diferenças|por que|iniciante|simples|leigo",
        "ko": "설명|알려 주|알려주|차이|왜|초보|쉽게|입문|사회초년생",
        "ar": "اشرح|شرح|وضح|الفرق|لماذا|للمبتدئين|مبتدئ|بشكل مبسط|غير تقني|بسيط",
    },
    "code_task": {
        "en": "function|script|snippet|query|regex|regular expression|sql|class|method|program|code|html|css|"
        "javascript|python|bash|typescript|java|endpoint|component|unit test|unit tests|decorator|"
        "debounce|parser|dockerfile|docker-compose|makefile|cron|crontab|bug|fix it|fix this|infinite loop|"
        "never ends|doesn't work|does not work|not working|throws|exception|traceback|stack trace|"
        "error message",
        "zh": "函数|脚本|代码|查询|正则|sql|程序|接口|组件|单元测试|报错",
        "ja": "関数|スクリプト|コード|クエリ|正規表現|クラス|メソッド|プログラム|コンポーネント|単体テスト|バグ",
        "ru": "функци*|скрипт|код|запрос|регулярн*|класс|метод|программ*|компонент|баг",
        "de": "funktion|skript|code|abfrage|regex|klasse|methode|programm|komponente|bug",
        "es": "función|script|código|consulta|expresión regular|regex|clase|método|programa|componente|bug",
        "pt": "função|script|código|consulta|expressão regular|regex|classe|método|programa|componente|bug",
        "ko": "함수|스크립트|코드|쿼리|정규식|정규 표현식|클래스|메서드|프로그램|컴포넌트|버그",
        "ar": "دالة|سكربت|كود|شيفرة|استعلام|تعبير نمطي|برنامج",
    },
    "create": {
        "en": "create|make|generate|build|implement|prepare|put together|come up with|suggest|give me|list",
        "zh": "制定|生成|创建|做一个|列出|给我|实现",
        "ja": "作って|作成|考えて|提案|挙げて|実装",
        "ru": "создай|сделай|подготовь|придумай|предложи|реализуй",
        "de": "erstelle|mach|generiere|bereite|schlage|implementiere",
        "es": "crea|haz|genera|prepara|sugiere|dame|monta|implementa",
        "pt": "crie|faça|gere|prepare|sugira|monte|implemente",
        "ko": "만들어|짜 주|짜줘|생성해|추천해|제안해|구현해",
        "ar": "انشئ|اصنع|ولد|اقترح|اعطني|ضع|نفذ",
    },
    "units": {
        "en": "miles|kilometers|kilometres|km|kg|pounds|lbs|ounces|oz|grams|celsius|fahrenheit|inches|cm|"
        "feet|meters|metres|liters|litres|gallons|gallon|cups|cup|ml|mph|usd|eur|dollars|euros|yen",
        "zh": "公里|英里|公斤|摄氏|华氏|美元|欧元|英寸|加仑",
        "ja": "キロ|マイル|ポンド|摂氏|華氏|ドル|ユーロ|インチ",
        "ru": "километр*|мил*|фунт*|градус*|доллар*|евро|дюйм*",
        "de": "kilometer|meilen|meile|pfund|grad|dollar|euro|zoll|gallone",
        "es": "kilómetros|millas|libras|grados|dólares|euros|pulgadas|galón",
        "pt": "quilômetros|milhas|libras|graus|dólares|euros|polegadas|galão",
        "ko": "킬로미터|마일|파운드|섭씨|화씨|달러|유로|인치",
        "ar": "كيلومتر|ميل|رطل|درجة|دولار|يورو|بوصة",
    },
    "transform": {
        "en": "summarize|summarise|summary|rewrite|rephrase|paraphrase|reword|proofread|polish|shorten|"
        "simplify|convert|reformat|more formal|more concise|clearer|make it|turn this|bullet points|"
        "reading level",
        "zh": "总结|概括|摘要|改写|重写|润色|改成|转换|转成|精简|简化",
        "ja": "要約|まとめ|書き直|言い換え|添削|校正|変換",
        "ru": "резюмируй|кратко изложи|перепиши|переформулируй|исправь|сократи|упрости|преобразуй|конвертируй",
        "de": "fasse|zusammenfassung|umschreiben|schreibe um|formuliere|korrigiere|kürze|vereinfache|"
        "konvertiere|umwandeln",
        "es": "resume|resumen|reescribe|reformula|corrige|acorta|simplifica|convierte|convertir",
        "pt": "resuma|resumo|reescreva|reformule|corrija|encurte|simplifique|converta|converter",
        "ko": "요약|다시 써|고쳐|다듬어|바꿔|변환|간결하게",
        "ar": "لخص|ملخص|اعد صياغة|اعد كتابة|صحح|حول|بسط",
    },
    "plan": {
        "en": "plan|itinerary|schedule|routine|menu|meal plan|study plan|workout|checklist|agenda|trip|packing list|"
        "shopping list|to-do list|todo list|reading list|"
        "week-by-week|day-by-day|weekly",
        "zh": "计划|规划|行程|日程|菜单|清单|安排|备考",
        "ja": "計画|プラン|スケジュール|旅程|献立|メニュー|チェックリスト",
        "ru": "план|расписание|маршрут|меню|программу тренировок",
        "de": "plan|zeitplan|reiseplan|speiseplan|checkliste|trainingsplan|lernplan|wochenplan|essensplan|"
        "ernährungsplan|übungsplan",
        "es": "plan|itinerario|horario|menú|rutina|cronograma",
        "pt": "plano|roteiro|cronograma|cardápio|rotina",
        "ko": "계획|일정|코스|식단|루틴|체크리스트",
        "ar": "خطة|جدول|برنامج|قائمة|مسار",
    },
    "compare": {
        "en": "compare|comparison|versus|which is better|pros and cons|better for",
        "zh": "比较|对比|哪个好|优缺点",
        "ja": "比較|どっち|メリット|デメリット",
        "ru": "сравни|сравнение|что лучше|плюсы и минусы",
        "de": "vergleiche|vergleich|vor- und nachteile|versus",
        "es": "compara|comparación|ventajas y desventajas|versus",
        "pt": "compare|comparação|prós e contras|versus|vantagens e desvantagens",
        "ko": "비교|어느 게|장단점|뭐가 더",
        "ar": "قارن|مقارنة|مزايا وعيوب",
    },
    "howto": {
        "en": "how do i|how to|how can i|how should i|step by step|step-by-step|steps|guide|tutorial|"
        "instructions|recipe|tips",
        "zh": "怎么|如何|怎样|步骤|教程|食谱|做法|一步一步",
        "ja": "どうやって|方法|手順|やり方|レシピ|コツ|ステップ",
        "ru": "как мне|как сделать|пошагово|шаг за шагом|инструкция|рецепт|советы",
        "de": "wie kann ich|wie mache ich|schritt für schritt|anleitung|rezept|tipps",
        "es": "cómo puedo|cómo hago|cómo hacer|paso a paso|guía|receta|consejos|pasos",
        "pt": "como faço|como posso|passo a passo|guia|receita|dicas|passos",
        "ko": "어떻게|방법|단계별|레시피|요령",
        "ar": "كيف|خطوة بخطوة|طريقة|وصفة|خطوات|نصائح",
    },
    "agent_action": {
        "en": "commit|push|pull request|merge|branch|git|npm|pip|install|uninstall|restart|reboot|"
        "run the tests|run tests|npm test|deploy|edit|open the file|update the config|rename|delete|"
        "create a file|create a branch|readme|gitignore|then|after that|once done|make sure|verify",
        "zh": "提交|推送|分支|安装|重启|运行|执行|部署|编辑|修改|打开|然后|确保|配置文件",
        "ja": "コミット|プッシュ|ブランチ|インストール|再起動|実行|デプロイ|編集|変更して|開いて|その後|確認して",
        "ru": "закоммить|коммит|запушь|ветк*|установи|перезапусти|запусти|выполни|разверни|отредактируй|"
        "измени|открой|затем|потом|убедись",
        "de": "committe|commit|pushe|branch|installiere|starte|neu starten|führe|ausführen|deploye|bearbeite|"
        "ändere|öffne|dann|danach|stelle sicher",
        "es": "commit|push|rama|instala|reinicia|ejecuta|despliega|edita|modifica|abre|luego|después|asegúrate",
        "pt": "commit|push|branch|instale|reinicie|execute|rode|implante|edite|modifique|abra|depois|"
        "em seguida|certifique-se|garanta",
        "ko": "커밋|푸시|브랜치|설치|재시작|실행|배포|편집|열어|그다음|그리고 나서|확인해",
        "ar": "commit|ادفع|فرع|ثبت|اعد تشغيل|شغل|نفذ|انشر|عدل|افتح|ثم|بعد ذلك|تاكد",
    },
    # ------------------------------------------------------------------ COMPLEX-leaning
    "design_ask": {
        "en": "design|architect|architecture|blueprint|system design|high-level design|propose an architecture|"
        "scalable|at scale|end-to-end",
        "zh": "设计|架构|搭建|方案",
        "ja": "設計|アーキテクチャ|構成|構築",
        "ru": "спроектируй|спроектировать|проектирование|архитектур*|разработай систему|построй систему",
        "de": "entwirf|entwerfe|entwerfen|architektur|konzipiere",
        "es": "diseña|diseñar|diseño|arquitectura|propón",
        "pt": "projete|projetar|desenhe|arquitetura|proponha",
        "ko": "설계|아키텍처|구축",
        "ar": "صمم|تصميم|معمارية|هندسة",
    },
    "system_noun": {
        "en": "system|platform|service|services|infrastructure|pipeline|backend|cluster|microservices|"
        "distributed|data pipeline|engine|ledger|gateway|storage|store|"
        # well-known products stand for their whole system ("Design Netflix")
        "netflix|uber|lyft|twitter|youtube|whatsapp|instagram|dropbox|airbnb|tinyurl|slack|tiktok|spotify|"
        "facebook|reddit|discord|zoom|gmail|stripe|paypal|doordash|yelp|ticketmaster|google docs|google maps",
        "zh": "系统|平台|服务|基础设施|管道|流水线|后端|集群|微服务|分布式|引擎",
        "ja": "システム|プラットフォーム|サービス|基盤|インフラ|パイプライン|バックエンド|クラスタ|マイクロサービス|分散",
        "ru": "систем*|платформ*|сервис*|инфраструктур*|конвейер*|бэкенд*|кластер*|микросервис*|распределённ*|"
        "распределенн*",
        "de": "system*|plattform*|dienst*|infrastruktur*|pipeline|backend|cluster|microservice*|verteilt*",
        "es": "sistema*|plataforma*|servicio*|infraestructura*|pipeline|backend|clúster|microservicio*|distribuid*",
        "pt": "sistema*|plataforma*|serviço*|infraestrutura*|pipeline|backend|cluster|microsserviço*|distribuíd*",
        "ko": "시스템|플랫폼|서비스|인프라|파이프라인|백엔드|클러스터|마이크로서비스|분산",
        "ar": "نظام*|منصة|خدمة|خدمات|بنية تحتية|خط بيانات|خادم|موزع",
    },
    "scale": {
        "en": "million|millions|billion|billions|thousands|high availability|low latency|globally|multi-region|"
        "concurrent|qps|rps|tps|per second|a day|per day|daily active|dau|mau|peak",
        "zh": "万|亿|每秒|日活|高并发|并发|高可用|峰值",
        "ja": "万人|万件|億|毎秒|同時接続|高可用|ピーク",
        "ru": "млн|млрд|миллион*|миллиард*|тысяч*|в секунду|одновременн*|отказоустойчив*|пиков*",
        "de": "millionen|mio|milliarden|mrd|pro sekunde|gleichzeitig*|hochverfügbar*|spitzenlast",
        "es": "millones|miles|por segundo|concurrentes|simultáneos|alta disponibilidad|pico",
        "pt": "milhões|milhares|mil|por segundo|simultâneos|alta disponibilidade|pico",
        "ko": "만 명|만명|억|초당|동시 접속|고가용성|피크",
        "ar": "مليون|ملايين|مليار|الاف|في الثانية|متزامن",
    },
    "multi_file": {
        "en": "across|codebase|repo|repository|monorepo|every file|all files|files|directories|modules|"
        "whole project|entire project|throughout|call sites|usages|refactor|refactoring|tests green|"
        "consolidate|copy-pasted|duplicated across|every function|every service|each service|all services|"
        "everywhere|all references|all occurrences|serializers|api routes|"
        "shared library|shared layer|deploy pipeline|"
        "tests pass|without breaking|e2e|integration tests",
        "zh": "整个项目|项目中|目录|文件|模块|重构|代码库|仓库|全部通过",
        "ja": "リポジトリ|全体|ファイル|ディレクトリ|モジュール|リファクタ|置き換え|テストが通|壊さない|壊れない",
        "ru": "по всему|во всём проекте|репозитори*|файл*|директори*|модул*|рефактор*|кодов* баз*|не сломав",
        "de": "im gesamten|projektweit|repository|repo|dateien|verzeichnis*|modul*|refaktor*|codebasis|stellen",
        "es": "en todo el|repositorio|archivos|directorios|módulos|refactoriza*|base de código",
        "pt": "em todo o|repositório|arquivos|diretórios|módulos|refator*|base de código",
        "ko": "레포|저장소|파일|디렉터리|모듈|리팩터링|리팩토링|깨지지 않|코드베이스",
        "ar": "المستودع|الملفات|ملفات|المجلدات|الوحدات|اعادة هيكلة|قاعدة الكود",
    },
    "migration": {
        "en": "migrate|migrating|migration|port to|porting|move from|moving from|switch from|replace|"
        "upgrade|zero downtime|zero-downtime|incrementally|cutover|rollback plan|backward compatible|"
        "backwards compatible|convert our|move of|move our|on-prem|on-premise|on-premises|downtime|monolith|"
        "split our|decompose|break up the|rollback|roll back|phased|in phases|incremental migration|"
        "lift and shift|cloud migration",
        "zh": "迁移|替换|升级|改造|切换|零停机|不停机|平滑|拆分|单体|回滚|分阶段|逐步迁移",
        "ja": "移行|置き換|置換|アップグレード|切り替|ダウンタイムなし|無停止|分割|モノリシック|モノリス|ロールバック|"
        "段階的|切り戻し",
        "ru": "миграц*|мигрир*|перенес*|перенос*|перевести с|перейти на|переход на|замени*|без простоя|монолит*|"
        "разделить|разбить|поэтапн*|откат*|переписыван*",
        "de": "migrier*|migration|umstellen|umstellung|stelle|ersetze*|ohne ausfallzeit|umzug|monolith*|aufteilen|"
        "zerlegen|rollback|schrittweise|phasenweise",
        "es": "migrar|migración|migra|reemplaza*|sustitu*|sin tiempo de inactividad|sin caída|monolito|dividir|"
        "rollback|reversión|por fases|gradualmente",
        "pt": "migrar|migração|migre|substitu*|sem downtime|sem tempo de inatividade|monolito|dividir|rollback|"
        "reversão|em fases|gradualmente",
        "ko": "마이그레이션|교체|전환|업그레이드|무중단|다운타임 없이|이전해|모놀리식|분리|분할|롤백|단계적|점진적",
        "ar": "ترحيل|استبدال|ترقية|بدون توقف|الانتقال|تقسيم|التراجع|على مراحل|تدريجيا",
    },
    "perf_debug": {
        "en": "latency|slow|slowdown|bottleneck|bottlenecks|throughput|memory leak|leak|leaks|leaked|"
        "oom|outofmemoryerror|out of memory|rss|heap|garbage collection|deadlock|race condition|race|"
        "concurrency|thread|threads|mutex|lock contention|starvation|flaky|intermittent|intermittently|"
        "timeout|timeouts|502|503|504|5xx|crash|crashes|hangs|p99|p95|cpu|profiling|lag|backpressure|"
        "connection pool|under load|spikes|degrades|degraded|memory ordering|atomics|cold start|ring buffer|"
        "lock-free|producer|consumer|memory model|memory barrier|volatile|cache line|occasionally|"
        "nondeterministic|heisenbug|reads garbage|corrupted|performance|bundle size|time to interactive|"
        "load time|memory usage|cpu usage|speed up|stuck|freezes|stop consuming|stops consuming|"
        "stops processing|hang",
        "zh": "延迟|卡顿|卡|瓶颈|吞吐|内存泄漏|泄漏|内存|死锁|竞态|线程|超时|崩溃|性能|负载|连接池|抖动|掉到",
        "ja": "遅延|遅い|ボトルネック|スループット|メモリリーク|リーク|メモリ|デッドロック|競合|スレッド|タイムアウト|"
        "クラッシュ|性能|パフォーマンス|負荷|起動時間",
        "ru": "узкие места|узкое место|узких мест|задержк*|медленн*|тормоз*|пропускн*|утечк*|памят*|дедлок*|взаимоблокировк*|гонк*|многопоточ*|"
        "таймаут*|падает|падения|производительност*|нагрузк*|пул соединений|зависает",
        "de": "latenz|langsam|engpass|durchsatz|speicherleck|speicher*|deadlock|nebenläufig*|thread*|timeout*|"
        "abstürz*|stürzt|absturz|performance|auslastung|lastspitze*",
        "es": "latencia|lento|lenta|cuello de botella|rendimiento|fuga de memoria|memoria|interbloqueo|"
        "condición de carrera|concurrencia|hilos|timeout|se cae|caída|carga|cpu",
        "pt": "latência|lento|lenta|gargalo|desempenho|performance|vazamento de memória|memória|deadlock|"
        "condição de corrida|concorrência|threads|timeout|cai|queda|carga|cpu",
        "ko": "지연|느려|병목|처리량|메모리 누수|누수|메모리|데드락|경쟁 상태|동시성|스레드|타임아웃|크래시|성능|부하",
        "ar": "زمن الاستجابة|بطء|بطيء|اختناق|انتاجية|تسرب|الذاكرة|ذاكرة|تزامن|خيوط|مهلة|انهيار|اداء|الضغط|حمل|المعالج",
    },
    "security": {
        "en": "security|secure|vulnerability|vulnerabilities|vulnerable|exploit|exploited|exploitable|attack|"
        "attacker|threat model|audit|pentest|penetration|hardening|harden|injection|xss|csrf|ssrf|cors|"
        "owasp|privilege|escalation|authentication|authorization|oauth|jwt|secrets|encryption|compliance|"
        "gdpr|hipaa|pci|dpia|breach|forensics|malware|skimming|mitigation|mitigations|attack surface|"
        "threat|threats|sanitize|sanitization|session fixation|fraud",
        "zh": "安全|漏洞|攻击|审计|加固|注入|权限|鉴权|认证|加密|合规|泄露|入侵",
        "ja": "セキュリティ|脆弱性|攻撃|監査|侵害|インジェクション|権限|認証|認可|暗号化|コンプライアンス|漏洩|不正",
        "ru": "безопасност*|уязвимост*|атак*|аудит*|взлом*|инъекци*|привилеги*|аутентификац*|авторизац*|шифрован*",
        "de": "sicherheit*|schwachstelle*|angriff*|audit|härtung|injection|berechtigung*|authentifizierung|"
        "autorisierung|verschlüsselung|datenschutz*|dsgvo",
        "es": "seguridad|vulnerabilidad*|ataque*|auditoría|explotar*|inyección|privilegios|autenticación|"
        "autorización|cifrado|cumplimiento",
        "pt": "segurança|vulnerabilidade*|ataque*|auditoria|explorar|injeção|privilégios|autenticação|"
        "autorização|criptografia|conformidade|lgpd",
        "ko": "보안|취약점|공격|감사|인젝션|권한|인증|인가|암호화|규정 준수|침해|유출",
        "ar": "امن|امنية|الامان|ثغرة|ثغرات|هجوم|تدقيق|حقن|صلاحيات|مصادقة|تشفير|امتثال|اختراق|التقوية",
    },
    "analyze": {
        "en": "analyze|analyse|analysis|review|investigate|diagnose|troubleshoot|list the issues|"
        "identify the issues|what's wrong|root-cause|critique|assess|evaluate the design|find the bottleneck",
        "zh": "分析|排查|诊断|审查|评审|定位|找出",
        "ja": "分析|調査|診断|レビュー|原因を特定|洗い出|特定して",
        "ru": "проанализируй*|анализ*|разбери*|диагностир*|найди причину|исследуй|причин*",
        "de": "analysiere|analyse|untersuche|diagnostizier*|überprüfe|prüfe",
        "es": "analiza|análisis|revisa|investiga|diagnostica",
        "pt": "analise|análise|revise|investigue|diagnostique",
        "ko": "분석|진단|검토|원인|찾는 방법|찾아",
        "ar": "حلل|تحليل|راجع|مراجعة|شخص|تشخيص",
    },
    "spec": {
        "en": "spec|specification|technical spec|requirements|design doc|rfc|postmortem|post-mortem|runbook|"
        "rollout plan|migration plan|sla|slo|acceptance criteria|detailed|comprehensive|thorough|in depth|"
        "in-depth|production-ready|production ready|complete|root cause|trade-offs|tradeoffs",
        "zh": "规格|需求|设计文档|复盘|详细|完整|全面|系统地|生产级|根本原因|权衡",
        "ja": "仕様|要件|設計書|ポストモーテム|詳細|包括的|網羅|本番|根本原因|トレードオフ",
        "ru": "спецификац*|требовани*|техническое задание|подробн*|детальн*|полн*|постмортем|комплексн*|"
        "первопричин*|компромисс*",
        "de": "spezifikation|anforderungen|lastenheft|pflichtenheft|detailliert*|umfassend*|vollständig*|"
        "postmortem|folgenabschätzung|ursache*|abwägung*",
        "es": "especificación|requisitos|detallad*|completo|completa|exhaustiv*|postmortem|integral|causa raíz",
        "pt": "especificação|requisitos|detalhad*|completo|completa|abrangente|postmortem|minucios*|causa raiz",
        "ko": "명세|요구사항|사양|상세|자세히|포괄적|포스트모템|근본 원인|트레이드오프",
        "ar": "مواصفات|متطلبات|مفصل|مفصلة|شامل|شاملة|كامل|متكامل|السبب الجذري",
    },
    "infra": {
        "en": "kubernetes|k8s|kafka|redis|postgres|postgresql|mysql|mongodb|elasticsearch|terraform|nginx|"
        "ingress|grpc|graphql|websocket|websockets|cdn|load balancer|sharding|replication|replica|"
        "partitions|consistency|idempotent|idempotency|eventual consistency|caching|message queue|"
        "pub/sub|s3|aws|gcp|azure|serverless|ci/cd|observability|opentelemetry|prometheus|grafana|"
        "sidekiq|celery|raft|paxos|consensus|leader election|failover|rate limiting|backoff|retries|"
        "circuit breaker|rate limiter|sliding window|sliding windows|quota|quotas|per-tenant|graceful degradation|"
        "transactions|orm|prisma|jpa|hibernate|spring|django|rails|redux|fastapi|gunicorn|"
        "linearizable|snapshots|snapshotting|multi-tenant|tenants|sso|rbac|webhook|webhooks|cqrs|"
        "event sourcing|event sourced|aggregates|projections|replay|saga|outbox|exactly-once|at-least-once|"
        "dead letter|schema registry|acks|brokers|broker|airflow|dag|dags|cron jobs|backfill|backfills|"
        "alerting|etl|rabbitmq|workers|consumers|sqs|pubsub",
        "zh": "缓存|消息队列|分片|副本|一致性|幂等|负载均衡|熔断|重试|主从|集群",
        "ja": "キャッシュ|キュー|シャーディング|レプリケーション|整合性|冪等|ロードバランサ|リトライ|冗長",
        "ru": "кэш*|очеред*|шардирован*|репликац*|согласованност*|идемпотент*|балансировщик*|ретра*",
        "de": "warteschlange*|replikation|konsistenz|idempotent*|lastverteil*",
        "es": "caché|colas|replicación|consistencia|idempotente*|balanceador*",
        "pt": "filas|replicação|consistência|idempotente*|balanceador*",
        "ko": "캐시|큐|샤딩|복제|일관성|멱등|로드 밸런서|재시도|파티셔닝|레플리카",
        "ar": "تخزين مؤقت|طابور|النسخ المتماثل|اتساق",
    },
    "our_context": {
        "en": "our|we|we're|we've|my team|our team|in production|prod|production",
        "zh": "我们|我司|线上|生产环境",
        "ja": "弊社|自社|当社|私たち|本番",
        "ru": "наш*|у нас|мы|продакшн*|продакшен*",
        "de": "unser*|wir|produktion",
        "es": "nuestr*|tenemos|producción",
        "pt": "noss*|temos|produção",
        "ko": "우리|저희|운영 환경|프로덕션",
        "ar": "لدينا|نظامنا|تطبيقنا|خادمنا|الانتاج|نحن",
    },
    # ------------------------------------------------------------------ REASONING-leaning
    "proof": {
        "en": "prove|proves|show that|demonstrate that|disprove|prove that|by induction|by contradiction",
        "zh": "证明|求证|试证",
        "ja": "証明|ことを示|を示せ|示しなさい",
        "ru": "докаж*|доказать|доказательств*|покажи что|покажите что",
        "de": "beweise|beweisen|beweis|zeige dass|zeigen sie dass|zeige|widerlege",
        "es": "demuestra|demuestre|demostrar|demostración|prueba que|pruebe que|muestra que",
        "pt": "provar|prova que|demonstre|demonstrar|demonstração|mostre que",
        "ko": "증명",
        "ar": "اثبت|برهن|اثبات|بين ان",
    },
    "proof_noun": {
        "en": "proof|theorem|lemma|corollary|rigorous",
        "zh": "定理|引理",
        "ja": "定理|補題",
        "ru": "теорем*|лемм*",
        "de": "theorem|lemma",
        "es": "teorema|lema",
        "pt": "teorema|lema",
        "ko": "정리를|보조정리",
        "ar": "مبرهنة|برهان",
    },
    "derive": {
        "en": "derive|derivation|deduce|closed form|closed-form|from first principles|first principles",
        "zh": "推导|导出|推出|推算",
        "ja": "導出|導いて|導き|導け|導きなさい|導く",
        "ru": "выведи*|вывести|вывод формул*",
        "de": "herleit*|herzuleiten|leite die|leite den|leite eine|leiten sie|leite her",
        "es": "deriva|derivar|deduce|deducir",
        "pt": "derive|derivar|deduza|deduzir",
        "ko": "유도|도출",
        "ar": "اشتق|استنتج|اشتقاق|استنباط",
    },
    "probability": {
        "en": "probability|probabilities|expected value|expected number|expected sum|expectation|variance|"
        "standard deviation|odds|uniformly at random|independently|two dice|three dice|the dice|roll dice|"
        "rolling dice|pair of dice|dice are|dice is|fair die|a die|die is rolled|coin|coins|"
        "cards|deck|urn|lottery|how many ways|combinations|permutations|arrangements|binomial|poisson|"
        "bayes|conditional|without replacement|with replacement|at random|chosen at random|drawn at random|"
        "picked at random|anagrams",
        "zh": "概率|几率|期望|方差|随机|骰子|硬币|抽奖|排列|组合|多少种|几种|不放回|有放回",
        "ja": "確率|期待値|分散|ランダム|サイコロ|コイン|くじ|組み合わせ|並べ方|何通り",
        "ru": "анаграмм*|вероятност*|матожидани*|математическое ожидание|дисперси*|случайн*|кубик*|монет*|"
        "сколькими способами|перестановк*|сочетани*",
        "de": "anagramme|wahrscheinlichkeit*|erwartungswert|varianz|zufällig*|würfel*|münze*|auf wie viele arten|"
        "kombinationen|permutationen|lotto",
        "es": "anagramas|probabilidad*|valor esperado|esperanza|varianza|aleatori*|de cuántas maneras|"
        "de cuántas formas|combinaciones|permutaciones|póker|baraja|lanzar una moneda|cara o cruz|dados",
        "pt": "anagramas|probabilidade*|valor esperado|esperança|variância|aleatóri*|cara ou coroa|lançamento de moeda|de quantas maneiras|"
        "de quantas formas|combinações|permutações|urna|sorteiam|sorteio",
        "ko": "확률|기댓값|기대값|무작위|랜덤|주사위|동전|경우의 수|순열|조합",
        "ar": "بكم طريقة|احتمال|القيمة المتوقعة|التوقع|التباين|عشوائي*|نرد|رمي عملة|قطعة نقود|تباديل|توافيق",
    },
    "calculate": {
        "en": "calculate|compute|solve|find|determine|evaluate|how much|how many|how long|value of|"
        "what is the value",
        "zh": "计算|求|求出|求解|求得|算出|算一下|解方程|多少",
        "ja": "計算|求め|算出|解け|解いて|いくら|何通り",
        "ru": "сколькими способами|вычисли*|рассчита*|посчита*|найди*|найдите|реши|решите|определите|определи|сколько|оцени*",
        "de": "berechne*|bestimme*|ermittle*|finde|löse|wie groß|wie viel|wie viele arten|rechne*",
        "es": "de cuántas maneras|de cuántas formas|calcula*|halla|hallar|encuentra|determina*|resuelve|resolver|cuánto vale",
        "pt": "de quantas maneiras|de quantas formas|quantos|quantas|calcule|calcular|calcula|encontre|determine|resolva|resolver|ache|quanto vale",
        "ko": "계산|구하|구해|풀어|얼마|경우의 수",
        "ar": "احسب|اوجد|حل|جد|حدد|كم|بكم طريقة",
    },
    "rigor": {
        "en": "rigorous|rigorously|justify|justify each step|each step|every step|show your work|"
        "show all work|formally|formal proof|explain your reasoning|show the derivation|in terms of n|"
        "show the reasoning|show your reasoning|show reasoning|exact expression|exact answer|show the calculation|"
        "show the steps|show your steps|show the working|show your working",
        "zh": "严格|严谨|每一步|推导过程|过程|说明理由",
        "ja": "厳密|各ステップ|途中式|根拠|導き方|過程",
        "ru": "строго|обоснуй*|каждый шаг|каждого шага|каждое действие|с решением|все шаги|пошаговое решение|"
        "покажите решение",
        "de": "streng|begründe*|jeden schritt|rechenweg|lösungsweg",
        "es": "rigurosamente|riguroso|justifica*|cada paso|razonamiento",
        "pt": "rigorosamente|rigoroso|justifique|cada passo|raciocínio",
        "ko": "엄밀|각 단계|풀이 과정|과정을|근거",
        "ar": "بدقة|برر|علل|كل خطوة|خطوات الحل|الاستدلال",
    },
    "game_theory": {
        "en": "nash|equilibrium|equilibria|cournot|bertrand|stackelberg|payoff|payoffs|dominant strategy|"
        "mixed strategy|zero-sum|prisoner's dilemma|subgame|minimax|discount factor",
        "zh": "纳什|均衡|博弈|收益矩阵|囚徒困境|占优策略|混合策略",
        "ja": "ナッシュ|均衡|ゲーム理論|利得|囚人のジレンマ|支配戦略|混合戦略|割引因子",
        "ru": "нэш*|равновеси*|теори* игр|выигрыш*|дилемм* заключ*|смешанн* стратеги*",
        "de": "nash|gleichgewicht*|spieltheorie|auszahlung*|gefangenendilemma|gemischte strategie",
        "es": "nash|equilibrio*|teoría de juegos|dilema del prisionero|estrategia mixta",
        "pt": "nash|equilíbrio*|teoria dos jogos|payoff*|dilema do prisioneiro|estratégia mista",
        "ko": "내쉬|균형|게임 이론|죄수의 딜레마|혼합 전략|우월 전략",
        "ar": "ناش|توازن|نظرية الالعاب|معضلة السجين|استراتيجية مختلطة",
    },
    "algo_analysis": {
        "en": "complexity|time complexity|big-o|recurrence|correctness|invariant|loop invariant|terminates|"
        "termination|amortized|asymptotic|asymptotically|lower bound|upper bound|np-hard|np-complete|"
        "optimality|worst case|worst-case|average case",
        "zh": "复杂度|正确性|不变式|递推|递归式|渐近|下界|上界|最优性",
        "ja": "計算量|正しさ|正当性|不変条件|漸化式|漸近|下界|上界|最適性",
        "ru": "сложност*|корректност*|инвариант*|рекуррент*|асимптот*|нижн* оценк*|оптимальност*",
        "de": "komplexität|laufzeit|korrektheit|invariante|rekursionsgleichung|asymptotisch*|untere schranke",
        "es": "complejidad|corrección|invariante|recurrencia|asintótic*|cota inferior|optimalidad",
        "pt": "complexidade|corretude|invariante|recorrência|assintótic*|limite inferior|otimalidade",
        "ko": "복잡도|정확성|불변식|점화식|점근|하한|상한|최적성",
        "ar": "تعقيد|التعقيد|صحة الخوارزمية|علاقة تكرارية|الحد الادنى|الامثلية",
    },
    "math_topic": {
        "en": "equation|equations|integral|derivative|limit|series|polynomial|roots|prime|primes|integer|"
        "integers|divisible|modulo|remainder|digits|triangle|circle|angle|geometry|matrix|eigenvalue|"
        "vector|sequence|inequality|logarithm|factorial|fraction|ratio|percent|interest|compound|npv|irr|"
        "present value|annuity|bond|yield|trailing zeros|velocity|acceleration|force|energy|momentum|orbit|orbital|"
        "gravity|friction|voltage|current|resistance|resistor|circuit|half-life|decay|concentration|"
        "pressure|entropy|graph|vertices|edges|natural number|real number|real numbers|square|"
        "median|speed|distance|area|volume|perimeter|radius|height|maximum height|thrown|dropped|mass|"
        "loan|mortgage|monthly payment|annual interest|interest rate|rate of return|future value|m/s|km/h|"
        "compounded|doubles|exponential|growth rate|passwords|characters|mph|catch up|catches up|overtakes|"
        "same direction|opposite directions",
        "zh": "方程|积分|导数|极限|级数|多项式|质数|素数|整数|整除|余数|三角形|矩阵|特征值|向量|数列|不等式|对数|阶乘|"
        "分数|利率|复利|现值|下落|自由落体|抛出|质量|摩擦|斜面|速度|加速度|能量|动量|轨道|电阻|电流|电压|功率|效率|半衰期|浓度|压强|自然数|平方|面积|体积",
        "ja": "方程式|積分|微分|極限|級数|多項式|素数|整数|割り切|余り|三角形|角度|行列|固有値|ベクトル|数列|不等式|"
        "対数|階乗|利率|複利|現在価値|速度|加速度|エネルギー|運動量|軌道|抵抗|電流|電圧|半減期|濃度|圧力|自然数|面積|体積",
        "ru": "уравнени*|интеграл*|производн*|предел*|многочлен*|полином*|корн*|простое число|простых чисел|"
        "целых|целые|делит*|остаток|треугольник*|окружност*|матриц*|вектор*|последовательност*|"
        "неравенств*|логарифм*|факториал*|процент*|доходност*|облигаци*|скорост*|ускорени*|энерги*|"
        "импульс*|орбит*|сопротивлени*|напряжени*|мощност*|полураспад*|площад*|объём*",
        "de": "gleichung*|integral*|ableitung*|grenzwert*|polynom*|nullstelle*|primzahl*|ganze zahl*|teilbar*|"
        "dreieck*|kreis*|winkel*|matrix|eigenwert*|vektor*|ungleichung*|logarithmus|fakultät|zins*|"
        "barwert|geschwindigkeit*|beschleunigung|kraft|energie*|impuls|umlaufbahn|widerstand*|spannung|"
        "halbwertszeit|konzentration|natürliche zahl*|fläche*|volumen",
        "es": "ecuación*|integral*|derivada*|límite*|polinomio*|raíces|raíz|primo*|entero*|divisible*|"
        "triángulo*|círculo|ángulo*|matriz|autovalor*|vector*|sucesión|desigualdad*|logaritmo*|factorial|"
        "interés|valor presente|velocidad*|aceleración|fuerza|energía|órbita|resistencia*|corriente|"
        "voltaje|potencia|vida media|concentración|caudal|número natural|números naturales|área|volumen",
        "pt": "equação|equações|integral*|derivada*|polinômio*|raízes|raiz|primo*|inteiro*|divisível*|"
        "triângulo*|círculo|ângulo*|matriz|autovalor*|vetor*|sequência|desigualdade*|logaritmo*|fatorial|"
        "juros|anuidade|taxa de juros|valor presente|velocidade*|aceleração|força|energia|órbita|resistência*|corrente|tensão|"
        "potência|meia-vida|concentração|número natural|números naturais|área|volume",
        "ko": "방정식|적분|미분|극한|급수|다항식|소수인|정수|나누어|나머지|삼각형|각도|행렬|고유값|벡터|수열|부등식|"
        "로그|팩토리얼|이자|복리|현재가치|속도|가속도|에너지|운동량|궤도|저항|전류|전압|전력|반감기|농도|"
        "자연수|짝수|홀수|이등분선|넓이|부피",
        "ar": "معادلة|معادلات|تكامل|مشتقة|متسلسلة|كثير الحدود|جذور|جذر|عدد اولي|اعداد اولية|عدد صحيح|"
        "اعداد صحيحة|يقبل القسمة|باقي|مثلث|دائرة|زاوية|مصفوفة|متجه|متتالية|متباينة|لوغاريتم|مضروب|"
        "فائدة|القيمة الحالية|سرعة|تسارع|قوة|طاقة|زخم|مدار|مقاومة|تيار|جهد|قدرة|عمر النصف|تركيز|"
        "انحراف معياري|عائد متوقع|المجموعات الجزئية|مجموعة جزئية|مساحة|حجم",
    },
    "puzzle": {
        "en": "puzzle|riddle|brain teaser|knights|knaves|liar|liars|truth-teller|truth-tellers|who is lying|"
        "minimum number of|fewest|least number|pigeonhole|flashlight|weighings|shortest time|minimum time|"
        "always lie|always lies|tell the truth|tells the truth|syllogism|logically follows|premises|valid argument|"
        "argument valid|entails|entailment|tautology|counterexample|"
        "least time|cross the river|cross the bridge|cross a bridge|who owns|whose|each person",
        "zh": "谜题|智力题|逻辑题|说谎|真话|至少需要|抽屉原理",
        "ja": "パズル|なぞなぞ|論理パズル|嘘つき|正直者|鳩の巣",
        "ru": "головоломк*|загадк*|лжец*|рыцар*|лжёт|принцип дирихле",
        "de": "rätsel|knobel*|lügner|wahrheitssager|schubfach*",
        "es": "acertijo*|rompecabezas|mentiroso*|caballeros|palomar",
        "pt": "enigma*|charada*|quebra-cabeça|mentiroso*|casa dos pombos",
        "ko": "퍼즐|수수께끼|거짓말쟁이|비둘기집",
        "ar": "لغز|الغاز|كاذب|الكذاب",
    },
    # expert vocabulary (law, medicine, science, CS, economics): a difficulty prior for the score,
    # deliberately light so that a definition question stays cheap
    "expert": {
        "en": "defendant|plaintiff|statute|tort|negligence|contract|liability|jurisdiction|constitutional|"
        "court|precedent|hearsay|felony|testimony|admissible|diagnosis|patient|symptoms|syndrome|"
        "enzyme|protein|molecule|molecular|cell|gene|genetic|mutation|receptor|dose|clinical|"
        "atom|electron|photon|quantum|thermodynamics|momentum|wavelength|frequency|magnetic|"
        "reaction|acid|compound|oxidation|algorithm|recursion|compiler|pointer|boolean|automaton|"
        "turing|neural|gradient|regression|classifier|overfitting|theorem|axiom|premise|premises|"
        "fallacy|syllogism|valid|validity|argument|elasticity|marginal|monopoly|gdp|inflation|"
        "fiscal|monetary|equilibrium|utility|morally|ethical|moral|scenario|scenarios",
        "zh": "被告|原告|法规|合同|责任|法院|诊断|患者|症状|蛋白质|分子|细胞|基因|电子|量子|热力学|算法|递归|"
        "编译器|指针|神经网络|梯度|回归|定理|公理|前提|谬误|弹性|边际|垄断|通货膨胀|道德",
        "ja": "被告|原告|法令|契約|責任|裁判所|診断|患者|症状|タンパク質|分子|細胞|遺伝子|電子|量子|熱力学|"
        "アルゴリズム|再帰|コンパイラ|ポインタ|ニューラル|勾配|回帰|公理|前提|誤謬|弾力性|限界|独占|道徳",
        "ru": "ответчик*|истец*|закон*|договор*|ответственност*|суд*|диагноз*|пациент*|симптом*|белок|"
        "белк*|молекул*|клетк*|ген*|электрон*|квант*|термодинамик*|алгоритм*|рекурси*|компилятор*|"
        "указател*|нейрон*|градиент*|регресси*|аксиом*|посылк*|эластичност*|предельн*|монопол*|морал*",
        "de": "beklagte*|kläger*|gesetz*|vertrag*|haftung|gericht*|diagnose|patient*|symptom*|protein*|"
        "molekül*|zelle*|gen|gene|elektron*|quanten*|thermodynamik|algorithmus|rekursion|compiler|"
        "zeiger|neuronal*|gradient*|regression|axiom*|prämisse*|elastizität|grenz*|monopol*|moral*",
        "es": "demandado*|demandante*|estatuto*|contrato*|responsabilidad|tribunal*|diagnóstico|paciente*|"
        "síntoma*|proteína*|molécula*|célula*|gen|genes|electrón*|cuántic*|termodinámica|algoritmo*|"
        "recursión|compilador*|puntero*|neuronal*|gradiente*|regresión|axioma*|premisa*|elasticidad|"
        "marginal|monopolio*|moral*",
        "pt": "réu|autor da ação|estatuto*|contrato*|responsabilidade|tribunal*|diagnóstico|paciente*|"
        "sintoma*|proteína*|molécula*|célula*|gene|genes|elétron*|quântic*|termodinâmica|algoritmo*|"
        "recursão|compilador*|ponteiro*|neural|gradiente*|regressão|axioma*|premissa*|elasticidade|"
        "marginal|monopólio*|moral*",
        "ko": "피고|원고|법령|계약|책임|법원|진단|환자|증상|단백질|분자|세포|유전자|전자|양자|열역학|알고리즘|"
        "재귀|컴파일러|포인터|신경망|경사|회귀|공리|전제|오류|탄력성|한계|독점|도덕",
        "ar": "المدعى عليه|المدعي|قانون|عقد|مسؤولية|محكمة|تشخيص|مريض|اعراض|بروتين|جزيء|خلية|جين|الكترون|"
        "كمي|الديناميكا الحرارية|خوارزمية|العودية|مترجم|مؤشر|عصبية|انحدار|بديهية|مقدمة|مرونة|حدي|احتكار|اخلاقي",
    },
    # neutral compounds that stop a shorter CJK cue from matching inside them (see module doc)
    "_stop": {
        "zh": "要求|需求|请求|追求|寻求|求职|征求|诉求|求助|多少钱|写字|卡片|信息|信号|信任|相信|自信|方法|办法",
        "ja": "要求|請求|追求|求人|何か|何も|何で|何とか|何卒|何度も",
        "ko": "시스템|시간|시작|수수료",
    },
}

# Which tier each group pushes towards (used for the hard-tier split and for --explain labels).
GROUP_KIND = {
    "greeting": "simple",
    "heartbeat": "simple",
    "fact_question": "simple",
    "translate": "simple",
    "define": "simple",
    "brevity": "simple",
    "identify": "simple",
    "command_question": "simple",
    "trivial_edit": "simple",
    "write": "medium",
    "create": "medium",
    "units": "simple",
    "explain": "medium",
    "code_task": "medium",
    "transform": "medium",
    "plan": "medium",
    "compare": "medium",
    "howto": "medium",
    "agent_action": "medium",
    "design_ask": "complex",
    "system_noun": "complex",
    "scale": "complex",
    "multi_file": "complex",
    "migration": "complex",
    "perf_debug": "complex",
    "security": "complex",
    "spec": "complex",
    "analyze": "complex",
    "infra": "complex",
    "our_context": "complex",
    "proof": "reasoning",
    "proof_noun": "reasoning",
    "derive": "reasoning",
    "probability": "reasoning",
    "calculate": "reasoning",
    "rigor": "reasoning",
    "game_theory": "reasoning",
    "algo_analysis": "reasoning",
    "math_topic": "reasoning",
    "puzzle": "reasoning",
    "expert": "shape",
}
