import {
  FilterPatternSyntaxError, JsonFilterPattern, UndocumentedFilterSemantics, filterPatternMatches,
} from '../support/cwl-filter-pattern';

/**
 * The test-only filter-pattern evaluator against AWS's own documented examples, verbatim (events
 * and patterns), with the outcome each page states. Only once it reproduces these is it used on
 * the audit's metric filters (metric-filters.test.ts).
 */
const CURRENT_PAGE = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html';
const JSON_TERMS_PAGE = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html';
// The same URL's older text (archived awsdocs/amazon-cloudwatch-logs-user-guide, doc_source/FilterAndPatternSyntax.md),
// which still states semantics the current page dropped (non-scalar selectors, IS TRUE, unquoted values).
const OLDER_PAGE = `${CURRENT_PAGE} (older revision, awsdocs/amazon-cloudwatch-logs-user-guide)`;

// "Example JSON log event" of both current pages.
const E1 = `{
      "eventType": "UpdateTrail",
      "sourceIPAddress": "111.111.111.111",
      "arrayKey": [
            "value",
            "another value"
      ],
      "objectList": [
           {
             "name": "a",
             "id": 1
           },
           {
             "name": "b",
             "id": 2
           }
      ],
      "SomeObject": null,
      "cluster.name": "c"
}`;

// The older page's version of the same event.
const E1_OLDER = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": [
        "value",
        "another value"
  ],
  "objectList": [
       {
         "name": "a",
         "id": 1
       },
       {
         "name": "b",
         "id": 2
       }
  ],
  "SomeObject": null,
  "ThisFlag": true
}`;

// The compound-expression event (identical on all three pages).
const E2 = `{
    "user": {
        "id": 1,
        "email": "John.Stiles@example.com"
    },
    "users": [
        {
         "id": 2,
         "email": "John.Doe@example.com"
        },
        {
         "id": 3,
         "email": "Jane.Doe@example.com"
        }
    ],
    "actions": [
        "GET",
        "PUT",
        "DELETE"
    ],
    "coordinates": [
        [0, 1, 2],
        [4, 5, 6],
        [7, 8, 9]
    ]
}`;

describe(`documented JSON examples (${CURRENT_PAGE}, ${JSON_TERMS_PAGE})`, () => {
  test.each([
    ['{ $.eventType = "UpdateTrail" }', 'matches the string "UpdateTrail" in the property "eventType"'],
    ['{ $.sourceIPAddress != 123.123.* }', 'doesn\'t contain a number with the prefix "123.123."'],
    ['{ $.arrayKey[0] = "value" }', 'matches the element "value" in the array "arrayKey"'],
    ['{ $.eventType = %Trail% }', 'regex: matches the string "Trail" in the property "eventType"'],
    ['{ $.arrayKey[*] = %val.{2}% }', 'regex: matches the element "value" in the array "arrayKey"'],
    ['{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }', 'regex: matches "111.111.111.111" in the property "sourceIPAddress"'],
    ["{ $.['cluster.name'] = \"c\" }", 'matches a JSON property with a period (.) in the key'],
    ['{ $.SomeObject IS NULL }', 'returns JSON logs where the value of SomeObject is NULL'],
    ['{ $.SomeOtherObject NOT EXISTS }', 'return JSON logs that don\'t contain the field SomeOtherObject'],
  ])('%s matches the example event (%s)', (pattern) => {
    expect(filterPatternMatches(pattern, E1)).toBe(true);
  });

  test.each([
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
    ['{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }', true],
    ['{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }', false],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
  ])('compound: %s -> %p (precedence () > && > ||)', (pattern, expected) => {
    expect(filterPatternMatches(pattern, E2)).toBe(expected);
  });
});

describe(`documented examples of the older revision (${OLDER_PAGE})`, () => {
  test.each([
    '{ $.eventType = "UpdateTrail" }',
    '{ $.sourceIPAddress != 123.123.* }',
    '{ $.arrayKey[0] = "value" }',
    '{ $.objectList[1].id = 2 }',
    '{ $.SomeObject IS NULL }',
    '{ $.SomeOtherObject NOT EXISTS }',
    '{ $.ThisFlag IS TRUE }',
  ])('"The following filters would match": %s', (pattern) => {
    expect(filterPatternMatches(pattern, E1_OLDER)).toBe(true);
  });

  test('unquoted values, same outcomes: "Matches the JSON above" / "Doesn\'t match"', () => {
    expect(filterPatternMatches('{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', E2)).toBe(true);
    expect(filterPatternMatches('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', E2)).toBe(false);
  });

  test('a selector pointing to an array matches neither = nor != ({ "users": [1, 2, 3] })', () => {
    const event = '{ "users": [1, 2, 3] }';
    expect(filterPatternMatches('{$.users = 1}', event)).toBe(false);
    expect(filterPatternMatches('{$.users != 1}', event)).toBe(false);
  });

  test('OR across events: {"foo": "bar"} and {"foo": "baz"}', () => {
    const bar = '{"foo": "bar"}';
    const baz = '{"foo": "baz"}';
    expect([bar, baz].map((e) => filterPatternMatches('{$.foo = bar}', e))).toEqual([true, false]);
    expect([bar, baz].map((e) => filterPatternMatches('{$.foo = baz }', e))).toEqual([false, true]);
    expect([bar, baz].map((e) => filterPatternMatches('{$.foo = bar || $.foo = baz }', e))).toEqual([true, true]);
  });

  test('wildcard at the start or end: "*Event will match PutEvent and GetEvent. Event* will match EventId and EventName"', () => {
    for (const name of ['PutEvent', 'GetEvent']) expect(filterPatternMatches('{ $.n = *Event }', { n: name })).toBe(true);
    for (const name of ['EventId', 'EventName']) expect(filterPatternMatches('{ $.n = Event* }', { n: name })).toBe(true);
    expect(filterPatternMatches('{ $.n = *Event }', { n: 'EventId' })).toBe(false);
  });

  test('"{ $.latency = * }" matches any value of latency', () => {
    expect(filterPatternMatches('{ $.latency = * }', { latency: 12 })).toBe(true);
    expect(filterPatternMatches('{ $.latency = * }', { other: 12 })).toBe(false);
  });
});

describe('documented numeric syntax examples parse (no event is given for them)', () => {
  test.each([
    '{ $.bandwidth > 75 }', '{ $.latency < 50 }', '{ $.refreshRate >= 60 }', '{ $.responseTime <= 5 }',
    '{ $.errorCode = 400}', '{ $.errorCode != 500 }', '{ $.number[0] = 1e+3 }', '{ $.number[0] != 1e-3 }',
    '{ $.latency >= 500 }', '{ $.numbers[0] < 10e3 }', '{ $.numbers[0] < 10e-3 }',
    '{ $.processes[4].averageRuntime <= 55.5 }', '{ $.latency > +1000 }',
  ])('%s', (pattern) => {
    expect(() => new JsonFilterPattern(pattern)).not.toThrow();
  });

  test('and they compare numbers (our events)', () => {
    expect(filterPatternMatches('{ $.bandwidth > 75 }', { bandwidth: 76 })).toBe(true);
    expect(filterPatternMatches('{ $.bandwidth > 75 }', { bandwidth: 75 })).toBe(false);
    expect(filterPatternMatches('{ $.number[0] = 1e+3 }', { number: [1000] })).toBe(true);
    expect(filterPatternMatches('{ $.processes[4].averageRuntime <= 55.5 }', { processes: [{}, {}, {}, {}, { averageRuntime: 55.6 }] })).toBe(false);
  });
});

describe('AWS-published patterns parse', () => {
  test.each([
    // "Creating an Amazon CloudWatch alarm to detect usage of a KMS key pending deletion",
    // https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-creating-cloudwatch-alarm.html
    '{ $.eventSource = kms* && $.errorMessage = "* is pending deletion."}',
    // Security Hub CloudWatch.1, .2, .7, .8, https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html
    '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
    '{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}',
  ])('%s', (pattern) => {
    expect(() => new JsonFilterPattern(pattern)).not.toThrow();
  });

  test('the KMS pending-deletion pattern matches its documented error message, and only KMS events', () => {
    const pattern = '{ $.eventSource = kms* && $.errorMessage = "* is pending deletion."}';
    const message = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab is pending deletion.';
    expect(filterPatternMatches(pattern, { eventSource: 'kms.amazonaws.com', errorMessage: message })).toBe(true);
    expect(filterPatternMatches(pattern, { eventSource: 's3.amazonaws.com', errorMessage: message })).toBe(false);
    expect(filterPatternMatches(pattern, { eventSource: 'kms.amazonaws.com', errorMessage: 'Access denied' })).toBe(false);
  });
});

describe('documented rules the evaluator enforces', () => {
  test('"Filter patterns are case sensitive."', () => {
    expect(filterPatternMatches('{ $.eventType = "updatetrail" }', E1)).toBe(false);
  });

  test('quotas: one wildcard per selector, three wildcard selectors and two regexes per pattern, 1024 characters', () => {
    expect(() => new JsonFilterPattern('{ $.*.arrayKey[*] = "x" }')).toThrow(FilterPatternSyntaxError);
    expect(() => new JsonFilterPattern('{ $.a[*] = "x" || $.b[*] = "x" || $.c[*] = "x" || $.d[*] = "x" }')).toThrow(/3 wildcard selectors/);
    expect(() => new JsonFilterPattern('{ $.a = %a% || $.b = %b% || $.c = %c% }')).toThrow(/2 regexes/);
    expect(() => new JsonFilterPattern(`{ $.a = "${'x'.repeat(1024)}" }`)).toThrow(/over the 1024/);
  });

  test('regex parentheses are rejected: "The ( and ) operators are not supported"', () => {
    expect(() => new JsonFilterPattern('{ $.a = %(ab)% }')).toThrow(/not supported/);
  });

  test('"The variables IS NOT and EXISTS currently aren\'t supported"', () => {
    expect(() => new JsonFilterPattern('{ $.a IS NOT NULL }')).toThrow(FilterPatternSyntaxError);
    expect(() => new JsonFilterPattern('{ $.a EXISTS }')).toThrow(FilterPatternSyntaxError);
  });

  test('undocumented cases throw instead of guessing', () => {
    expect(() => filterPatternMatches('{ $.missing != "x" }', E1)).toThrow(UndocumentedFilterSemantics);
    expect(() => filterPatternMatches('{ $.arrayKey[*] != "x" }', E1)).toThrow(UndocumentedFilterSemantics);
    expect(() => filterPatternMatches('{ $.eventType = "Up*Trail" }', E1)).toThrow(UndocumentedFilterSemantics);
    expect(() => filterPatternMatches('{ $.sourceIPAddress = 111 }', E1)).toThrow(UndocumentedFilterSemantics);
  });
});
