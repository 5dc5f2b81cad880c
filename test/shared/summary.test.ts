/**
 * shared/src/summary.ts: the job-summary table is closed HTML even for empty cells (@actions/core's
 * `addTable` writes an empty cell as an unclosed `<td>`).
 */
import { describe, expect, test } from 'vitest';
import { escapeHtml, summaryTableHtml } from '../../shared/src/summary.ts';

describe('summaryTableHtml', () => {
  test('writes empty header and body cells as closed tags', () => {
    expect(
      summaryTableHtml(
        ['', 'Result'],
        [
          ['image', ''],
          ['', ''],
        ],
      ),
    ).toBe(
      '<table><tr><th></th><th>Result</th></tr><tr><td>image</td><td></td></tr><tr><td></td><td></td></tr></table>',
    );
  });
  test('has as many closing as opening tags of each kind', () => {
    const html = summaryTableHtml(
      ['a', 'b', 'c'],
      [
        ['', '1', ''],
        [escapeHtml('</td><td>'), '', '3'],
      ],
    );
    for (const tag of ['table', 'tr', 'th', 'td'])
      expect(html.split(`<${tag}>`).length, tag).toBe(html.split(`</${tag}>`).length);
    expect(html).toContain('<td>&lt;/td&gt;&lt;td&gt;</td>');
  });
});
