#!/usr/bin/env python3
"""Write a labelled set of routing prompts from templates x slots x languages, by the rubric.

    python routing-prompts/make_prompts.py            # writes routing-prompts/prompts.jsonl
    python routing-prompts/make_prompts.py --check    # classify them and report accuracy per tier/lang

Every template was written for ``shared/eval/RUBRIC.md`` (tier definitions and traps); none is
copied from the evaluation data. It is deterministic (seeded).

The classifier's weights are set by hand (no learned layer ships: see classifier.py); this
directory holds the prompts used to check that they generalise beyond the dev set:

- ``prompts.jsonl``: this generator's output (templates x slots, 9 languages);
- ``holdout*.jsonl``: hand-written prompts, each file written *before* the classifier was run
  on it, to get an honest first-run estimate of accuracy on unseen prompts; fixes made after a
  first run are generic vocabulary or rules, never a copy of a prompt.

    python benchmarks/router_eval.py --no-apgr --errors --labelled routing-prompts/holdout5.jsonl

First-run (blind) tier accuracy of each hold-out file, in the order they were written:
holdout 84.3%, holdout2 92.4% (one hard prompt routed SIMPLE), holdout3 95.0%, holdout4 86.0%,
holdout5 94.0%, holdout6 98.0%, holdout7 95.0%, holdout8 90.0%, holdout9 76.7% (word problems
in several languages): 413/456 = 90.6% overall, 1 of 194 hard prompts routed to SIMPLE. Later
numbers on the same files are no longer blind.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------- slots
S = {
    "city": [
        "Lima",
        "Oslo",
        "Nairobi",
        "Hanoi",
        "Montreal",
        "Kraków",
        "Porto",
        "Busan",
        "Izmir",
    ],
    "country": [
        "Peru",
        "Norway",
        "Kenya",
        "Vietnam",
        "Chile",
        "Portugal",
        "Egypt",
        "Finland",
    ],
    "thing": [
        "a bicycle",
        "a sofa",
        "a used laptop",
        "a camera lens",
        "an electric guitar",
    ],
    "topic": [
        "photosynthesis",
        "inflation",
        "recursion",
        "vaccines",
        "black holes",
        "compound interest",
        "the greenhouse effect",
        "DNS",
        "supply and demand",
        "TCP handshakes",
    ],
    "lang": ["Python", "JavaScript", "Go", "Rust", "Java", "TypeScript", "Ruby", "C#"],
    "db": ["PostgreSQL", "MySQL", "MongoDB", "Cassandra", "DynamoDB"],
    "product": [
        "a ride-sharing app",
        "a food delivery platform",
        "a video streaming service",
        "a multiplayer game backend",
        "an online exam platform",
        "a payments gateway",
        "a chat app",
        "a photo sharing site",
        "an IoT fleet manager",
        "a ticketing system",
    ],
    "users": [
        "10M daily users",
        "500k concurrent users",
        "2B events per day",
        "50k requests/sec",
        "200M monthly users",
        "1M devices",
    ],
    "n": ["3", "4", "5", "6", "7", "8", "10", "12"],
    "fw_from": [
        "AngularJS",
        "jQuery",
        "Django 2",
        "Spring Boot 2",
        "Python 2",
        "Vue 2",
        "Express 4",
    ],
    "fw_to": [
        "React",
        "Vue 3",
        "Django 5",
        "Spring Boot 3",
        "Python 3.12",
        "Svelte",
        "Fastify",
    ],
    "word": [
        "serendipity",
        "ephemeral",
        "latency",
        "idempotent",
        "ubiquitous",
        "heuristic",
    ],
    "person": [
        "my manager",
        "a client",
        "my landlord",
        "the school",
        "a new colleague",
    ],
}

# ---------------------------------------------------------------------------- templates
# (tier, lang, template). {slot} picks a random value of S[slot].
T: list[tuple[str, str, str]] = []


def add(tier: str, lang: str, *templates: str) -> None:
    for t in templates:
        T.append((tier, lang, t))


# SIMPLE ---------------------------------------------------------------------
add(
    "SIMPLE",
    "en",
    "hello there!",
    "thanks a lot, that helped",
    "good morning :)",
    "ok cool, thank you!",
    "What is the capital of {country}?",
    "Who wrote 'Pride and Prejudice'?",
    "How many days are in a leap year?",
    "What's the boiling point of water in Fahrenheit?",
    "Convert 5 miles to kilometers.",
    "How many ounces in a pound?",
    "Translate 'where is the train station' into Spanish.",
    "How do you say 'thank you' in Japanese?",
    "Define '{word}' in one sentence.",
    "What does '{word}' mean?",
    "Is 51 a prime number?",
    "Status check: anything new in the inbox? If not, reply NO_CHANGES.",
    "heartbeat - reply OK if you're alive",
    "What time zone is {city} in?",
    "What's the command to list hidden files in Linux?",
    "How do I check my git version from the terminal?",
    'What language is this code written in?\n\nfn main() {{ println!("hi"); }}',
    "Format 2026-01-09 as 'January 9, 2026'.",
    "What does HTTP 404 mean?",
    "What year did the Berlin Wall fall?",
    "Fix the typos: 'Teh meeting is tomorow at noon, plese be on tiem.'",
    "What's 15% of 80?",
    "yes or no: is Pluto a planet?",
    "Which planet is the largest?",
    "What does the acronym NASA stand for?",
    "What is the default port for Redis?",
    "What does `ls -la` do? just curious",
    "What language is this text in?\n\nDet var en gång en liten katt som bodde i ett gammalt hus vid havet. "
    "Varje morgon satt den i fönstret och tittade på båtarna som seglade förbi.",
    'What file type is this?\n\n[server]\nhost = "0.0.0.0"\nport = 8080\n\n[database]\nurl = "postgres://x"',
)
add(
    "SIMPLE",
    "zh",
    "你好！",
    "谢谢你的帮助",
    "{country}的首都是哪里？",
    "一公里等于多少米？",
    "把'早上好'翻译成英文。",
    "“量子”是什么意思？",
    "哪个是太阳系最大的行星？",
    "检查一下有没有新邮件，如果没有就只回复OK。",
)
add(
    "SIMPLE",
    "ja",
    "こんにちは！",
    "ありがとうございます！",
    "{country}の首都はどこですか？",
    "1マイルは何キロですか？",
    "「おやすみなさい」を英語で言うと？",
    "富士山の高さは？",
    "定期チェック：新着メッセージがなければOKとだけ返信してください。",
)
add(
    "SIMPLE",
    "ru",
    "Привет!",
    "Спасибо большое!",
    "Какая столица у страны {country}?",
    "Сколько граммов в килограмме?",
    "Переведи на английский: «хорошего дня».",
    "Кто написал «Войну и мир»?",
    "Что такое ВВП?",
)
add(
    "SIMPLE",
    "de",
    "Hallo!",
    "Danke dir!",
    "Was ist die Hauptstadt von {country}?",
    "Wie viele Meter hat eine Meile?",
    "Was heißt 'Schmetterling' auf Englisch?",
    "Wer hat Faust geschrieben?",
    "Wann wurde die Bundesrepublik gegründet?",
)
add(
    "SIMPLE",
    "es",
    "¡Hola!",
    "¡Muchas gracias!",
    "¿Cuál es la capital de {country}?",
    "¿Cuántos centímetros tiene un metro?",
    "¿Cómo se dice 'mariposa' en inglés?",
    "¿Quién pintó Las Meninas?",
    "¿Qué significa 'efímero'?",
)
add(
    "SIMPLE",
    "pt",
    "Olá, tudo bem?",
    "Obrigado!",
    "Qual é a capital de {country}?",
    "Quantos gramas tem um quilo?",
    "Como se diz 'saudade' em inglês?",
    "Quem escreveu Dom Casmurro?",
    "O que significa 'efêmero'?",
)
add(
    "SIMPLE",
    "ko",
    "안녕하세요!",
    "정말 고마워요!",
    "{country}의 수도는 어디인가요?",
    "1마일은 몇 킬로미터예요?",
    "'감사합니다'를 영어로 번역해 주세요.",
    "한글은 누가 만들었나요?",
    "리눅스에서 현재 시간을 보는 명령어가 뭐예요?",
)
add(
    "SIMPLE",
    "ar",
    "مرحبا!",
    "شكرا لك!",
    "ما هي عاصمة {country}؟",
    "كم سنتيمترا في المتر؟",
    "ترجم 'صباح الخير' إلى الإنجليزية.",
    "من كتب رواية الخبز الحافي؟",
    "ما معنى كلمة خوارزمية؟",
)

# MEDIUM ---------------------------------------------------------------------
add(
    "MEDIUM",
    "en",
    "Write a polite email to {person} asking to move our meeting to Thursday afternoon.",
    "Write a short poem about autumn in {city}.",
    "Summarize the plot of Hamlet in one paragraph.",
    "Explain {topic} to a beginner with a simple example.",
    "Explain the difference between a list and a tuple in Python.",
    "Write a {lang} function that checks whether a string is a palindrome.",
    "Write a SQL query that returns the top 5 customers by total order value.",
    "Write a regex that matches US ZIP codes (5 digits, optional -4 suffix).",
    "Compare renting and buying a home for a young couple in {city}.",
    "Make a 2-week study plan for learning basic SQL, 1 hour per day.",
    "Step by step, how do I bake sourdough bread at home?",
    "Give me a recipe for a vegetarian lasagna, step by step.",
    'Convert this JSON to YAML:\n{{"name": "api", "replicas": 3, "ports": [80, 443]}}',
    "Rewrite this paragraph to sound more professional: hey guys, the thing is broken again, somebody pls look.",
    "Write a product description for {thing} for an online marketplace.",
    "Edit config.yaml to set the log level to debug, then restart the service.",
    "Create a new branch called fix/login, commit the changes and push it.",
    "This function returns None instead of the sum, what's wrong?\n\ndef add(a, b):\n    total = a + b\n",
    "Write a cover letter for a junior data analyst position.",
    "Draft a toast for my sister's wedding, warm and funny.",
    "Write a bash script that backs up a folder to a dated tar.gz file.",
    "What are the pros and cons of electric cars compared with hybrids?",
    "Translate this paragraph into French: Our office will be closed next Monday for the public holiday. "
    "Urgent requests can be sent to the support address and will be answered on Tuesday.",
    "Write a short story (300 words) about a lighthouse keeper who finds a message in a bottle.",
    "Explain how HTTPS works to a non-technical audience.",
    "Write a unit test in pytest for a function that parses dates in the format YYYY-MM-DD.",
)
add(
    "MEDIUM",
    "zh",
    "帮我写一封邮件给{person}，请求把会议改到周四下午。",
    "用通俗的语言给初学者解释一下{topic}。",
    "写一个{lang}函数，判断一个字符串是不是回文。",
    "比较一下租房和买房的优缺点。",
    "帮我制定一个两周的健身计划，每天30分钟。",
    "写一首关于秋天的短诗。",
    "写一条SQL，查询每个城市订单数量最多的客户。",
)
add(
    "MEDIUM",
    "ja",
    "{person}に会議の日程変更をお願いするメールを書いてください。",
    "{topic}を初心者にわかりやすく説明してください。",
    "{lang}で文字列が回文かどうか判定する関数を書いてください。",
    "秋についての短い詩を書いてください。",
    "一週間の献立を考えてください。予算は1万円です。",
    "メールアドレスにマッチする正規表現を書いてください。",
)
add(
    "MEDIUM",
    "ru",
    "Напиши вежливое письмо коллеге с просьбой перенести встречу на четверг.",
    "Объясни новичку, что такое {topic}, на простом примере.",
    "Напиши функцию на {lang}, которая проверяет, является ли строка палиндромом.",
    "Сравни аренду и покупку квартиры для молодой семьи.",
    "Составь план подготовки к экзамену по английскому на месяц.",
    "Напиши короткое стихотворение про осень.",
)
add(
    "MEDIUM",
    "de",
    "Schreibe eine höfliche E-Mail an {person}, um das Treffen auf Donnerstag zu verschieben.",
    "Erkläre einem Anfänger {topic} mit einem einfachen Beispiel.",
    "Schreibe eine {lang}-Funktion, die prüft, ob ein String ein Palindrom ist.",
    "Vergleiche Miete und Kauf einer Wohnung für ein junges Paar.",
    "Erstelle einen Lernplan für zwei Wochen Spanisch.",
    "Schreibe ein kurzes Gedicht über den Herbst.",
)
add(
    "MEDIUM",
    "es",
    "Escribe un correo a {person} para pedir que cambiemos la reunión al jueves.",
    "Explícale a un principiante qué es {topic} con un ejemplo sencillo.",
    "Escribe una función en {lang} que compruebe si una cadena es un palíndromo.",
    "Compara alquilar y comprar una vivienda para una pareja joven.",
    "Haz un plan de estudio de dos semanas para aprender SQL.",
    "Dame una receta de paella paso a paso.",
)
add(
    "MEDIUM",
    "pt",
    "Escreva um e-mail para {person} pedindo para mudar a reunião para quinta-feira.",
    "Explique {topic} para um iniciante com um exemplo simples.",
    "Escreva uma função em {lang} que verifica se uma string é um palíndromo.",
    "Compare alugar e comprar um apartamento para um casal jovem.",
    "Monte um plano de estudos de duas semanas para aprender SQL.",
    "Escreva um poema curto sobre o outono.",
)
add(
    "MEDIUM",
    "ko",
    "{person}에게 회의를 목요일로 옮겨 달라는 이메일을 써 주세요.",
    "초보자에게 {topic}을 쉬운 예시로 설명해 주세요.",
    "{lang}로 문자열이 회문인지 확인하는 함수를 작성해 주세요.",
    "전세와 월세의 장단점을 비교해 주세요.",
    "2주 동안의 운동 계획을 짜 주세요.",
    "가을에 대한 짧은 시를 써 주세요.",
)
add(
    "MEDIUM",
    "ar",
    "اكتب رسالة بريد إلكتروني مهذبة إلى {person} لتأجيل الاجتماع إلى يوم الخميس.",
    "اشرح {topic} لمبتدئ مع مثال بسيط.",
    "اكتب دالة بلغة {lang} تتحقق مما إذا كانت السلسلة متناظرة.",
    "قارن بين استئجار شقة وشرائها لزوجين شابين.",
    "ضع خطة دراسية لمدة أسبوعين لتعلم SQL.",
    "اكتب قصيدة قصيرة عن الخريف.",
)

# COMPLEX --------------------------------------------------------------------
add(
    "COMPLEX",
    "en",
    "Design {product} for {users}.",
    "Design the backend architecture for {product} handling {users}, with "
    "multi-region failover and an analysis of the trade-offs.",
    "Migrate our {fw_from} frontend (about 120 components) to {fw_to} incrementally without freezing feature work; "
    "give the migration plan, the order of modules and how to keep the tests green.",
    "Across the repo, replace our custom retry helper in api/, jobs/ and workers/ (about 50 call sites) with a "
    "shared client that adds timeouts and circuit breaking, and update the tests.",
    "Our {db} primary hits 100% CPU every night during the batch import and API latency goes to 8 seconds. "
    "Find the bottleneck and propose fixes at the query, schema and infrastructure level.",
    "Our Go service leaks memory: RSS grows from 300 MB to 5 GB over two days, but pprof heap profiles look flat. "
    "How would you investigate and fix this?",
    "We see a deadlock in production about once a week between two Java thread pools sharing a connection pool. "
    "Analyze the likely causes and how to prove and fix it.",
    "Do a security review of this login handler and list every vulnerability with a fix:\n\n"
    "app.post('/login', async (req, res) => {{\n  const u = await db.query(`SELECT * FROM users WHERE name='${{req.body.name}}'`);\n"
    "  if (u && u.password == req.body.password) {{ res.cookie('session', u.id); res.send('ok'); }}\n}});",
    "Write a detailed technical specification for a notification service: email, SMS and push channels, per-user "
    "preferences, quiet hours, rate limits, retries with backoff, templating in 12 languages and an audit log.",
    "Design a data pipeline that ingests clickstream events from Kafka, deduplicates them, enriches them with user "
    "profiles and loads hourly aggregates into a warehouse with exactly-once guarantees.",
    "Refactor our monolith's billing module into a separate service: define the API, the data migration, the "
    "rollout plan with zero downtime and the rollback plan.",
    "Implement a distributed rate limiter in {lang} backed by Redis, with sliding windows, per-tenant quotas and "
    "graceful degradation when Redis is unavailable.",
    "Design a multi-tenant RBAC authorization system with org, team and project levels, role inheritance, audit "
    "trails and SSO integration.",
    "Plan the move of our on-prem {db} cluster (8 TB) to a managed cloud database with less than 5 minutes of downtime.",
    "Design a URL shortener at scale.",
)
add(
    "COMPLEX",
    "zh",
    "设计一个支持{users}的{product}，包括架构、扩展性和容灾方案。",
    "把项目中所有直接访问数据库的代码（大约30个文件）重构为通过仓储层访问，并保证单元测试全部通过。",
    "我们的Java服务在高峰期内存持续增长，最后OOM崩溃。请分析可能的原因，并给出排查步骤和优化方案。",
    "把我们的系统从{fw_from}迁移到{fw_to}，要求不停机，请给出完整的迁移方案。",
)
add(
    "COMPLEX",
    "ja",
    "{users}に対応する{product}のアーキテクチャを設計してください。可用性とスケーラビリティも考慮してください。",
    "リポジトリ全体（約40ファイル）で古いロギングライブラリを新しいものに置き換え、既存のテストが壊れないようにしてください。",
    "本番環境のKubernetesクラスタで、デプロイのたびに数十秒間502エラーが発生します。原因を分析し、対策を提案してください。",
    "自社のECサイトのセキュリティ監査を行い、脆弱性と対策をまとめてください。",
)
add(
    "COMPLEX",
    "ru",
    "Спроектируй {product} для {users}: архитектура, масштабирование, отказоустойчивость.",
    "Перенеси наш монолит на микросервисы без простоя: план миграции, порядок выделения сервисов, работа с данными.",
    "Наш сервис на Node.js под нагрузкой начинает отвечать по 20 секунд, хотя CPU загружен на 20%. Найди узкие места и предложи решение.",
    "Проведи аудит безопасности нашего REST API и опиши уязвимости и способы их устранения.",
)
add(
    "COMPLEX",
    "de",
    "Entwirf die Architektur für {product} mit {users}, inklusive Skalierung und Ausfallsicherheit.",
    "Migriere unsere Anwendung von {fw_from} auf {fw_to} ohne Ausfallzeit und beschreibe den vollständigen Migrationsplan.",
    "Unser Python-Dienst hat ein Speicherleck unter Last; analysiere mögliche Ursachen und wie man sie findet.",
    "Führe eine Sicherheitsüberprüfung unserer Authentifizierung durch und liste alle Schwachstellen mit Lösungen auf.",
)
add(
    "COMPLEX",
    "es",
    "Diseña {product} para {users}: arquitectura, escalado y tolerancia a fallos.",
    "Migra nuestra aplicación de {fw_from} a {fw_to} sin tiempo de inactividad y describe el plan completo.",
    "Nuestra API en Java se vuelve lenta bajo carga y la base de datos llega al 100 % de CPU; analiza el cuello de botella y propone soluciones.",
    "Haz una auditoría de seguridad de nuestro sistema de pagos y explica cada vulnerabilidad.",
)
add(
    "COMPLEX",
    "pt",
    "Projete {product} para {users}: arquitetura, escalabilidade e tolerância a falhas.",
    "Migre nossa aplicação de {fw_from} para {fw_to} sem downtime e descreva o plano completo de migração.",
    "Nosso serviço em Go tem vazamento de memória em produção; analise as causas prováveis e como investigar.",
    "Faça uma auditoria de segurança da nossa API e liste as vulnerabilidades com as correções.",
)
add(
    "COMPLEX",
    "ko",
    "{users}를 처리하는 {product}의 아키텍처를 설계해 주세요. 확장성과 장애 대응도 포함해 주세요.",
    "레포 전체에서 기존 HTTP 클라이언트를 새 클라이언트로 교체해 주세요. 약 40개 파일이고 테스트가 깨지지 않아야 합니다.",
    "운영 환경에서 Redis 지연이 간헐적으로 급증합니다. 원인을 분석하고 해결 방안을 제시해 주세요.",
    "우리 서비스의 보안 취약점을 점검하고 대응 방안을 정리해 주세요.",
)
add(
    "COMPLEX",
    "ar",
    "صمم {product} يخدم {users} مع شرح البنية وقابلية التوسع والتعافي من الأعطال.",
    "انقل تطبيقنا من {fw_from} إلى {fw_to} بدون توقف، واكتب خطة الترحيل الكاملة.",
    "خادمنا يعاني من تسرب في الذاكرة تحت الضغط؛ حلل الأسباب المحتملة وطريقة التشخيص.",
    "قم بمراجعة أمنية لواجهة برمجة التطبيقات لدينا واذكر الثغرات وطرق إصلاحها.",
)

# REASONING ------------------------------------------------------------------
add(
    "REASONING",
    "en",
    "Prove that the square root of {n} is irrational.",
    "Prove that there are infinitely many primes.",
    "Prove by induction that 1 + 2 + ... + n = n(n+1)/2.",
    "Show that every tree with n vertices has n - 1 edges.",
    "Derive the formula for the sum of a geometric series.",
    "Derive the time complexity of merge sort from its recurrence.",
    "Two dice are rolled. What is the probability that the sum is {n}?",
    "A bag has {n} red and 5 blue balls. Three are drawn without replacement. What is the probability that exactly two are red?",
    "In how many ways can {n} people sit around a round table if two of them refuse to sit together?",
    "Find all real x such that x^2 - 5x + 6 = 0 and justify each step.",
    "A ball is thrown upward at 20 m/s from a 15 m cliff. Compute the maximum height and the time until it hits the ground.",
    "A loan of $200,000 at 6% annual interest is repaid monthly over 30 years. Compute the monthly payment and the total interest.",
    "Find the Nash equilibria of a game where each player chooses A or B with payoffs (3,3), (0,5), (5,0), (1,1).",
    "Prove that Dijkstra's algorithm is correct for graphs with non-negative weights.",
    "Three boxes are labelled wrongly: apples, oranges, mixed. Picking one fruit from one box, how can you label all correctly? Explain the logic.",
    "What is the expected number of coin flips until two heads in a row?",
    "Show that the function f(x) = x^3 - 3x has exactly three real roots.",
    "Compute the present value of an annuity paying $1,000 a year for 10 years at 5%.",
)
add(
    "REASONING",
    "zh",
    "证明根号{n}是无理数。",
    "证明：对任意正整数n，n³ − n 能被6整除。",
    "掷两枚骰子，点数之和为{n}的概率是多少？请写出推导过程。",
    "推导等比数列求和公式。",
    "一个物体从20米高处自由下落，求落地时间和落地速度。",
)
add(
    "REASONING",
    "ja",
    "√{n}が無理数であることを証明してください。",
    "サイコロを3回振るとき、出た目の和が10になる確率を求めてください。",
    "マージソートの計算量を漸化式から導出してください。",
    "n人を円形に並べる方法は何通りありますか？導き方も示してください。",
)
add(
    "REASONING",
    "ru",
    "Докажите, что корень из {n} иррационален.",
    "Найдите вероятность того, что при броске двух кубиков сумма равна {n}.",
    "Выведите формулу суммы арифметической прогрессии.",
    "Докажи, что алгоритм Евклида всегда завершается.",
)
add(
    "REASONING",
    "de",
    "Beweise, dass die Wurzel aus {n} irrational ist.",
    "Wie groß ist die Wahrscheinlichkeit, mit zwei Würfeln die Summe {n} zu werfen? Leite es her.",
    "Leite die Formel für die Summe einer geometrischen Reihe her.",
    "Zeige, dass jede natürliche Zahl eine eindeutige Primfaktorzerlegung hat.",
)
add(
    "REASONING",
    "es",
    "Demuestra que la raíz cuadrada de {n} es irracional.",
    "¿Cuál es la probabilidad de sacar suma {n} con dos dados? Justifica.",
    "Deriva la fórmula de la suma de una serie geométrica.",
    "Calcula la velocidad de escape de la Tierra a partir de la conservación de la energía.",
)
add(
    "REASONING",
    "pt",
    "Prove que a raiz quadrada de {n} é irracional.",
    "Qual é a probabilidade de obter soma {n} com dois dados? Justifique.",
    "Derive a fórmula da soma de uma progressão geométrica.",
    "Calcule o valor presente de uma anuidade de R$ 1.000 por 10 anos a 5% ao ano.",
)
add(
    "REASONING",
    "ko",
    "루트 {n}이 무리수임을 증명하세요.",
    "주사위 두 개를 던져 합이 {n}이 될 확률을 구하세요.",
    "병합 정렬의 시간 복잡도를 점화식으로 유도하세요.",
    "1부터 100까지 자연수 중 3 또는 5의 배수의 개수를 구하는 과정을 보여 주세요.",
)
add(
    "REASONING",
    "ar",
    "أثبت أن الجذر التربيعي للعدد {n} عدد غير نسبي.",
    "ما احتمال أن يكون مجموع رميتي نرد يساوي {n}؟ اشرح خطوات الحل.",
    "اشتق صيغة مجموع متتالية هندسية.",
    "أثبت أن مجموع زوايا المثلث يساوي 180 درجة.",
)


def expand(seed: int = 7, per_template: int = 3) -> list[dict]:
    rng = random.Random(seed)
    out, seen = [], set()
    for tier, lang, tpl in T:
        for _ in range(per_template):
            text = tpl
            for key, values in S.items():
                while "{" + key + "}" in text:
                    text = text.replace("{" + key + "}", rng.choice(values), 1)
            text = text.replace("{{", "{").replace("}}", "}")
            if text in seen:
                continue
            seen.add(text)
            out.append(
                {"id": f"t-{len(out):05d}", "lang": lang, "tier": tier, "prompt": text}
            )
    return out


def check(rows: list[dict]) -> int:
    sys.path.insert(0, str(HERE.parent))
    from clawcli.core.router.classifier import classify
    from clawcli.core.router.types import RequestFeatures

    by_tier: dict[str, Counter] = defaultdict(Counter)
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong = []
    for r in rows:
        c = classify(RequestFeatures(text=r["prompt"]))
        by_tier[r["tier"]][c.tier] += 1
        by_lang[r["lang"]][0] += c.tier == r["tier"]
        by_lang[r["lang"]][1] += 1
        if c.tier != r["tier"]:
            wrong.append((r, c))
    n = len(rows)
    ok = sum(by_tier[t][t] for t in by_tier)
    print(f"synthetic set: n={n} accuracy={ok / n:.1%}")
    for t, cnt in by_tier.items():
        print(f"  {t:10} {dict(cnt)}")
    print(
        "  per language: "
        + "  ".join(f"{k}={a / b:.0%}" for k, (a, b) in sorted(by_lang.items()))
    )
    for r, c in wrong:
        print(
            f"  {r['tier'][:4]}->{c.tier[:4]} {c.score:5.2f} [{r['lang']}] {r['prompt'][:100]!r}"
        )
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=HERE / "prompts.jsonl")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    rows = expand()
    if args.check:
        return check(rows)
    with args.out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} prompts to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
