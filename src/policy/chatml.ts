// ChatML, the chat format SmolLM2 and Qwen2.5 use. The bundled model uses it too, so prompts look
// the same across models and an SFT'd tiny model learns the format it is later prompted with.

import type { ChatMessage } from './prompts';

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export const CHATML_SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/**
 * The same text the template renders, without a Jinja engine: the build script uses it to put
 * rendered prompts into the tokenizer's training corpus (a test checks it against the template).
 */
export function renderChatML(messages: ChatMessage[], addGenerationPrompt: boolean): string {
  let out = '';
  for (const m of messages) out += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
  return addGenerationPrompt ? `${out}<|im_start|>assistant\n` : out;
}
