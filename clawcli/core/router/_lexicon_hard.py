"""Cue tables, part 2: engineering (COMPLEX) and formal/quantitative (REASONING) signals, the
expert-vocabulary prior and the CJK stop-compounds. See ``_lexicon``."""

HARD: dict[str, dict[str, str]] = {
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
        "oom|ooms|oomkilled|outofmemoryerror|out of memory|rss|heap|garbage collection|deadlock|race condition|race|"
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
        "dead letter|schema registry|spark|executor|executors|hadoop|flink|acks|brokers|broker|airflow|dag|dags|cron jobs|backfill|backfills|"
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
        "picked at random|anagrams|a random|random variable|randomly chosen|randomly selected|poker|"
        "poker hand|deck of cards|flush",
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
        "ko": "확률|기댓값|기대값|무작위|랜덤|주사위|동전|경우의 수|방법의 수|가지 수|순열|조합",
        "ar": "بكم طريقة|احتمال|القيمة المتوقعة|التوقع|التباين|عشوائي*|نرد|رمي عملة|قطعة نقود|تباديل|توافيق",
    },
    "calculate": {
        "en": "calculate|compute|solve|find|determine|evaluate|how much|how many|how long|value of|"
        "what is the value",
        "zh": "计算|求|求出|求解|求得|算出|算一下|解方程|多少",
        "ja": "いくつ|何個|何人|計算|求め|算出|解け|解いて|いくら|何通り",
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
        "ja": "考え方|解き方|求め方|厳密|各ステップ|途中式|根拠|導き方|過程",
        "ru": "строго|обоснуй*|каждый шаг|каждого шага|каждое действие|с решением|все шаги|пошаговое решение|"
        "покажите решение",
        "de": "streng|begründe*|jeden schritt|rechenweg|lösungsweg",
        "es": "rigurosamente|riguroso|justifica*|cada paso|razonamiento|muestra el cálculo|muestra los cálculos",
        "pt": "mostre a conta|rigorosamente|rigoroso|justifique|cada passo|raciocínio|mostre o cálculo|mostre os cálculos|"
        "mostre as contas",
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
        "integers|divisible|divisor|divisors|modulo|remainder|digits|triangle|circle|angle|geometry|matrix|eigenvalue|eigenvalues|"
        "eigenvectors|determinant|"
        "vector|sequence|inequality|logarithm|factorial|fraction|ratio|percent|interest|compound|npv|irr|"
        "present value|annuity|bond|yield|trailing zeros|twice|thrice|times as many|times as much|half as|velocity|acceleration|force|energy|momentum|orbit|orbital|"
        "gravity|conservation of energy|escape velocity|friction|voltage|current|resistance|resistor|circuit|half-life|decay|concentration|"
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
        "voltaje|potencia|vida media|conservación de la energía|velocidad de escape|concentración|caudal|número natural|números naturales|área|volumen",
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
