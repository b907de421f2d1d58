// The OpenAI Node SDK against `claw serve`: one scenario per run, one JSON line of results on stdout.
//
//   node tests/clients/openai_node.cjs BASE_URL SCENARIO
//
// Scenarios: plain, stream, stream_tools, run_tools, error, stream_error. The SDK's own behaviour is
// what is tested (its default retries, its error classes, its stream helpers that insist on
// `role` and `finish_reason`), so nothing here works around the proxy: an exception is a result.
'use strict';
const OpenAI = require('openai');

const [baseURL, scenario] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', timeout: 30000 });  // default maxRetries (2)
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const ask = (text) => [{ role: 'user', content: text }];

function describeError(e) {
  return {
    errorClass: e && e.constructor ? e.constructor.name : typeof e,
    isAPIError: e instanceof OpenAI.APIError,
    status: e && e.status,
    type: e && e.type,
    code: e && e.code,
    message: String(e && e.message),
    requestID: e && e.requestID,
    shouldRetry: e && e.headers && typeof e.headers.get === 'function' ? e.headers.get('x-should-retry') : undefined,
    retryAfter: e && e.headers && typeof e.headers.get === 'function' ? e.headers.get('retry-after') : undefined,
  };
}

const scenarios = {
  async plain() {
    const { data, response } = await client.chat.completions
      .create({ model: 'auto', messages: ask('Say hello to Node') })
      .withResponse();
    return {
      content: data.choices[0].message.content,
      role: data.choices[0].message.role,
      finish: data.choices[0].finish_reason,
      model: data.model,
      requestId: response.headers.get('x-request-id'),
    };
  },

  async stream() {
    // the helper that throws "missing role for choice 0" when the first chunk has no role
    const s = client.chat.completions.stream({ model: 'auto', messages: ask('Stream a hello to Node') });
    let deltas = '';
    s.on('content', (d) => { deltas += d; });
    const final = await s.finalChatCompletion();
    return {
      content: final.choices[0].message.content,
      role: final.choices[0].message.role,
      finish: final.choices[0].finish_reason,
      deltas,
    };
  },

  async stream_tools() {
    // raw iteration: accumulate tool-call deltas by index, as agent frameworks do
    const stream = await client.chat.completions.create({
      model: 'auto', stream: true, tools: [weatherTool], messages: ask('What is the weather in Paris?'),
    });
    const calls = {};
    let finish = null;
    let firstRole = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      for (const ch of chunk.choices) {
        if (firstRole === null && ch.delta && 'role' in ch.delta) firstRole = ch.delta.role;
        for (const tc of (ch.delta && ch.delta.tool_calls) || []) {
          const slot = (calls[tc.index] = calls[tc.index] || { id: null, name: '', arguments: '' });
          if (tc.id) slot.id = tc.id;
          if (tc.function && tc.function.name) slot.name += tc.function.name;
          if (tc.function && tc.function.arguments) slot.arguments += tc.function.arguments;
        }
        if (ch.finish_reason) finish = ch.finish_reason;
      }
    }
    return { calls: Object.values(calls).map((c) => ({ ...c, args: JSON.parse(c.arguments) })), finish, firstRole, chunks };
  },

  async run_tools() {
    const seen = [];
    const runner = client.chat.completions.runTools({
      model: 'auto',
      stream: true,
      messages: ask('What is the weather in Paris? Use the tool.'),
      tools: [{
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather of a city',
          parameters: weatherTool.function.parameters,
          parse: JSON.parse,
          function: (args) => { seen.push(args); return { city: args.city, sky: 'sunny', celsius: 21 }; },
        },
      }],
    });
    const content = await runner.finalContent();
    const messages = runner.messages.map((m) => m.role);
    return { content, toolArgs: seen, roles: messages };
  },

  async error() {
    try {
      const r = await client.chat.completions.create({ model: 'auto', messages: ask('This one fails') });
      return { unexpected: r.choices[0].message.content };
    } catch (e) {
      return describeError(e);
    }
  },

  async stream_error() {
    let content = '';
    try {
      const stream = await client.chat.completions.create({
        model: 'auto', stream: true, messages: ask('Tell a long story that breaks off'),
      });
      for await (const chunk of stream) {
        for (const ch of chunk.choices) content += (ch.delta && ch.delta.content) || '';
      }
      return { unexpected: 'stream completed', content };
    } catch (e) {
      return { ...describeError(e), content };
    }
  },
};

(async () => {
  const fn = scenarios[scenario];
  if (!fn) {
    console.error(`unknown scenario ${scenario}`);
    process.exit(2);
  }
  try {
    console.log(JSON.stringify({ ok: true, ...(await fn()) }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, ...describeError(e) }));
  }
})();
