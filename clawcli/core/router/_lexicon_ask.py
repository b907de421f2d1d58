"""Cue tables, part 1: the cheap kinds of ask (SIMPLE- and MEDIUM-leaning). See ``_lexicon``."""

ASK: dict[str, dict[str, str]] = {
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
        "population of|largest|smallest|tallest|biggest|default port|which country|which planet|which city|"
        "which year|which http",
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
        "ko": "뜻이|뜻은|무슨 뜻|의미가|의미는|무슨 의미|정의해|약자|줄임말",
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
        "en": "write|draft|compose|email|e-mail|letter|message|blog post|a post|linkedin post|social media post|"
        "instagram post|poem|story|limerick|haiku|essay|blog|"
        "tweet|caption|slogan|tagline|description|announcement|invitation|speech|toast|cover letter|"
        "bio|ad|lyrics|song|joke|jokes|feedback|outline|headline|newsletter|note|script|ideas|brainstorm|"
        "suggestions|names",
        "zh": "思路|起名|名字|点子|写|撰写|起草|邮件|信|文案|诗|故事|短文|演讲稿|通知|广告|标题|回复|朋友圈|小红书|段子|作文",
        "ja": "アイデア|名前|ネーミング|書いて|書く|作成して|メール|手紙|文章|詩|物語|お知らせ|案内|スピーチ|キャッチコピー|紹介文|投稿|返信|例文",
        "ru": "названий|названия|идеи|идей|напиши|написать|составь|сочини|письмо|сообщение|пост|стихотворение|стих|рассказ|объявление|"
        "поздравление|текст|речь|отзыв",
        "de": "ideen|namen|vorschläge|schreib|schreibe|schreiben|verfasse|e-mail|mail|brief|nachricht|gedicht|geschichte|ankündigung|"
        "einladung|rede|text|beitrag|anzeige|glückwunsch",
        "es": "ideas|nombres|sugerencias|escribe|escribir|redacta|redactar|correo|carta|mensaje|poema|cuento|historia|anuncio|invitación|"
        "discurso|publicación|texto|felicitar|felicitación",
        "pt": "ideias|nomes|sugestões|escreva|escrever|redija|redigir|e-mail|carta|mensagem|poema|conto|história|anúncio|convite|"
        "discurso|texto|legenda",
        "ko": "아이디어|이름|써 주세요|써줘|써주세요|작성해|글을|메일|편지|메시지|시를|이야기|공지|안내문|연설|광고|문구|답변 예시|소개글|판매 글",
        "ar": "افكار|اقتراحات|اسماء|اكتب|صياغة|صغ|رسالة|بريد|قصيدة|قصة|اعلان|دعوة|خطاب|منشور|نص|تهنئة",
    },
    "explain": {
        "en": "explain|describe|why does|why do|why is|how does|difference between|differences between|"
        "what's the difference|what is the difference|eli5|teach me|help me understand|overview|introduce|"
        "walk me through|tell me about|when to use|when should i|when i'd use|beginner|beginners|"
        "simple terms|layman|for kids|to a child|year-old|non-technical|newbie|strategies|advice|ways to|"
        "recommendations|best practices|what are some",
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
        "en": "help me|can you help|create|make|generate|build|implement|prepare|put together|come up with|suggest|give me|list",
        "zh": "帮我|准备|制定|生成|创建|做一个|列出|给我|实现",
        "ja": "手伝って|準備|作って|作成|考えて|提案|挙げて|実装",
        "ru": "помоги*|составить|подготовить|создай|сделай|подготовь|придумай|предложи|реализуй",
        "de": "hilf mir|hilfst du|erstelle|mach|generiere|bereite|schlage|implementiere",
        "es": "ayúdame|me ayudas|preparar|crea|haz|genera|prepara|sugiere|dame|monta|implementa",
        "pt": "me ajuda|ajude-me|preparar|crie|faça|gere|prepare|sugira|monte|implemente",
        "ko": "도와줘|도와주세요|준비|만들어|짜 주|짜줘|생성해|추천해|제안해|구현해",
        "ar": "ساعدني|جهز|انشئ|اصنع|ولد|اقترح|اعطني|ضع|نفذ",
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
        "run the tests|run tests|npm test|deploy|edit|open the file|update the config|rename|delete|update|bump|"
        "tag|remove|"
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
}
