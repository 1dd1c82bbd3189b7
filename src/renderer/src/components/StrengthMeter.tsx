// Password strength from @zxcvbn-ts (dictionaries loaded lazily, off the first paint).
import { useEffect, useState } from 'react';

import { describeStrength, type Strength, type ZxcvbnResult } from '../../../shared/strength.js';

type Estimator = (password: string) => ZxcvbnResult;
let estimator: Promise<Estimator> | null = null;

function loadEstimator(): Promise<Estimator> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    const factory = new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
    });
    return (password: string) => factory.check(password) as ZxcvbnResult;
  })();
  return estimator;
}

export function useStrength(password: string): Strength | null {
  const [result, setResult] = useState<Strength | null>(null);
  useEffect(() => {
    let live = true;
    if (!password) {
      setResult(null);
      return;
    }
    void loadEstimator().then((estimate) => {
      if (!live) return;
      setResult(describeStrength(estimate(password)));
    });
    return () => {
      live = false;
    };
  }, [password]);
  return result;
}

export function StrengthMeter({ password }: { password: string }) {
  const strength = useStrength(password);
  const score = strength?.score ?? -1;
  return (
    <div className="strength" aria-live="polite">
      <div className="strength-bars" aria-hidden="true">
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className={`strength-bar${score > i ? ` on s${score}` : ''}`} />
        ))}
      </div>
      <span className="strength-label" data-testid="strength-label">
        {strength ? strength.label : 'Type a password'}
        {strength?.hint ? ` — ${strength.hint}` : ''}
      </span>
    </div>
  );
}
