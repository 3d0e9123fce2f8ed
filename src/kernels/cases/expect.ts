// The `expect` of the kernel cases: vitest's own matchers (@vitest/expect on chai) without the
// vitest runner, so one case file runs under vitest on Dawn and in a browser page alike. A failed
// assertion throws an AssertionError either way.

import * as chai from 'chai';
import { getState, JestAsymmetricMatchers, JestChaiExpect, JestExtend, setState, type ExpectStatic, type MatcherState } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

function build(): ExpectStatic {
  // Cast: chai.expect plus the state accessors is what @vitest/expect's matchers read; its type
  // (ExpectStatic) describes vitest's full object, of which the cases use the matcher part.
  const e = ((value: unknown, message?: string) => {
    setState({ assertionCalls: getState(e).assertionCalls + 1 }, e);
    return chai.expect(value, message);
  }) as unknown as ExpectStatic;
  Object.assign(e, chai.expect);
  e.getState = () => getState<MatcherState>(e);
  e.setState = (state) => setState(state, e);
  setState({ assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null, expectedAssertionsNumberErrorGen: null }, e);
  return e;
}

export const expect: ExpectStatic = build();
