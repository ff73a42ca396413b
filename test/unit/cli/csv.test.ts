import fc from 'fast-check';
import { parseAccounts } from '../../../cli/accounts-file';
import {
  csvField,
  formatCsv,
  neutraliseFormulas,
  parseCsv,
  restoreFormulas,
} from '../../../cli/csv';
import { errorRow, formatRowsCsv } from '../../../cli/verdict-row';

/*
 * What `--csv` writes: RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180),
 * safe to open in a spreadsheet whichever separator it splits on (OWASP, CSV
 * injection: https://owasp.org/www-community/attacks/CSV_Injection), safe to
 * print, and read back by `--accounts`.
 */

/** Characters that make CSV and formulas interesting, and a few that do not. */
const TRICKY = fc.constantFrom(...'=+-@;,\t\r\n "\'aZ0 (#'.split(''), '\u001b', '\u009b', 'é');
const trickyText = fc.string({ unit: TRICKY, maxLength: 24 });
/** Text without control characters: every account name Organizations allows is printable. */
const printableText = fc.string({
  unit: fc.constantFrom(...'=+-@;,"\' aZ0(#é'.split('')),
  maxLength: 24,
});

/** What a spreadsheet splitting on `,`, `;` or tab, and trimming spaces, would take for a formula. */
function formulaCells(field: string): string[] {
  return field.split(/[,;\t]/).filter((cell) => /^\s*[=+\-@]/.test(cell));
}

describe('CSV (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180)', () => {
  it('quotes fields with commas or quotes, doubling the quotes, and ends records with CRLF', () => {
    expect(
      formatCsv(
        ['a', 'b'],
        [
          ['plain', 'has, comma'],
          ['say "hi"', 'x'],
        ],
      ),
    ).toBe('a,b\r\nplain,"has, comma"\r\n"say ""hi""",x\r\n');
  });

  it('writes control characters as \\xHH, so a record is one line and prints as it reads', () => {
    expect(csvField('two\nlines\r\u001b[2J\u009b')).toBe('two\\x0alines\\x0d\\x1b[2J\\x9b');
  });

  it('reads back the fields it writes, quoted line breaks and doubled quotes included', () => {
    expect(parseCsv('a,"b, ""c""\r\nd"\r\n1,\r\n').records).toEqual([
      { line: 1, fields: ['a', 'b, "c"\r\nd'] },
      { line: 3, fields: ['1', ''] },
    ]);
  });

  it('says on which line a quoted field that never closes starts', () => {
    expect(parseCsv('a,b\n1,"open\n2,x\n')).toEqual({
      records: [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['1', 'open\n2,x\n'] },
      ],
      unclosedQuoteLine: 2,
    });
  });

  it('parses every field it writes back to the value, for text without control characters', () => {
    fc.assert(
      fc.property(fc.array(fc.array(printableText, { minLength: 2, maxLength: 2 })), (rows) => {
        const parsed = parseCsv(formatCsv(['a', 'b'], rows)).records.map((record) =>
          record.fields.map(restoreFormulas),
        );
        expect(parsed).toEqual([['a', 'b'], ...rows]);
      }),
    );
  });
});

describe('CSV formulas (OWASP, CSV injection)', () => {
  it.each([
    ['=HYPERLINK("https://example.com","Open")', `"'=HYPERLINK(""https://example.com"",""Open"")"`],
    ['+1+cmd', "'+1+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    [' =1+2', "' =1+2"],
  ])(
    'puts a quote mark before a field a spreadsheet would read as a formula: %j',
    (field, cell) => {
      expect(formatCsv(['name'], [[field]])).toBe(`name\r\n${cell}\r\n`);
    },
  );

  it.each([
    ['Prod;=1+1;', "Prod;'=1+1;"],
    ['Prod; +1', "Prod;' +1"],
    ['Prod;-2', "Prod;'-2"],
    ['Prod;@SUM(A1)', "Prod;'@SUM(A1)"],
    ['Prod,=1+1', `"Prod,'=1+1"`],
    ['a;b;=c', "a;b;'=c"],
  ])(
    'puts a quote mark before every segment a spreadsheet splitting on ; or , would read as a formula: %j',
    (field, cell) => {
      expect(csvField(field)).toBe(cell);
    },
  );

  it.each([
    ['\t=1+2', '\\x09=1+2'],
    ['\r=1+2', '\\x0d=1+2'],
    ['Prod\t=1+2', 'Prod\\x09=1+2'],
  ])(
    'writes a tab or a CR before a formula as \\xHH, so the formula starts no cell: %j',
    (field, cell) => {
      expect(csvField(field)).toBe(cell);
    },
  );

  it('leaves a field alone when the formula characters are not at a segment’s start', () => {
    expect(formatCsv(['a', 'b'], [['a=b', 'Sandbox-2 (+1) @team; x-y']])).toBe(
      'a,b\r\na=b,Sandbox-2 (+1) @team; x-y\r\n',
    );
  });

  it('writes no field in which a cell split on , ; or tab starts a formula', () => {
    fc.assert(
      fc.property(trickyText, (value) => {
        const [record] = parseCsv(`${csvField(value)}\r\n`).records;
        expect(formulaCells(record?.fields[0] ?? '')).toEqual([]);
        expect(formulaCells(csvField(value))).toEqual([]);
      }),
    );
  });

  it('takes back exactly the quote marks it added, and no other', () => {
    fc.assert(
      fc.property(trickyText, (value) => {
        expect(restoreFormulas(neutraliseFormulas(value))).toBe(value);
      }),
    );
  });

  it('keeps a quote mark the value had apart from the one it adds', () => {
    expect(neutraliseFormulas("'=1")).toBe("''=1");
    expect(restoreFormulas("'=1")).toBe('=1');
    expect(restoreFormulas("''=1")).toBe("'=1");
  });
});

describe('--accounts reading what --csv wrote', () => {
  const names = [
    'Production',
    'Prod;=1+1;',
    '=HYPERLINK("https://example.com","Open")',
    "'=already quoted",
    'Sandbox, EU',
    ' -spaced ',
  ];

  it('gives back each account’s ID and name as they were before they were written', () => {
    const csv = formatRowsCsv(
      names.map((name, index) =>
        errorRow({ id: String(111122223330 + index), name }, 'Could not assume the role.'),
      ),
    );

    expect(parseAccounts(csv, 'audit.csv')).toEqual(
      names.map((name, index) => ({ id: String(111122223330 + index), name })),
    );
  });

  it('reads an empty name column as an account without a name', () => {
    const csv = formatRowsCsv([errorRow({ id: '111122223333' }, 'x')]);

    expect(parseAccounts(csv, 'audit.csv')).toEqual([{ id: '111122223333' }]);
  });

  it('refuses a record whose account column is not an account ID, naming its line', () => {
    expect(() =>
      parseAccounts('account,name,verdict\r\n111122223333,A,ERROR\r\nabc,B,ERROR\r\n', 'a.csv'),
    ).toThrow(/Accounts file a\.csv, line 3: the account ID is not 12 digits/);
  });

  it('refuses a quoted field that never closes instead of dropping the accounts after it', () => {
    expect(() =>
      parseAccounts('account,name\r\n111122223333,"A\r\n444455556666,B\r\n', 'a.csv'),
    ).toThrow(/Accounts file a\.csv, line 2: a quoted field is never closed/);
  });

  it('still reads a list whose names hold commas and quotes as they are', () => {
    expect(parseAccounts('111122223333,"Sandbox", EU\n', 'a.txt')).toEqual([
      { id: '111122223333', name: '"Sandbox", EU' },
    ]);
  });
});
