import { readFileSync } from 'node:fs';

/**
 * Reads a PaddleOCR character dictionary (one character per line) and appends the space, as
 * PaddleOCR does with `use_space_char` (the PP-OCR models' last class). Throws naming the file
 * when it is missing or empty.
 */
export function loadDictionary(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the character dictionary ${path}: ${(error as Error).message}`, { cause: error });
  }
  const characters = text.split('\n').map((line) => line.replace(/\r$/, ''));
  if (characters.at(-1) === '') characters.pop();
  if (characters.length === 0) throw new Error(`the character dictionary ${path} is empty`);
  return [...characters, ' '];
}
