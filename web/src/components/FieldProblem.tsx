// A form's problem shown under it, named by its field: found before asking
// (the form's own check) or the API's 4xx with its field.
import { useState } from 'preact/hooks';
import type { ApiError } from '../api/client';

export interface Problem {
  message: string;
  field?: string;
}

export function problemOf(e: ApiError): Problem {
  return { message: e.unreachable ? 'The gateway did not answer; try again when it is back.' : e.message, field: e.field };
}

export function FieldProblem({ id, problem }: { id: string; problem: Problem | null }) {
  if (!problem) return null;
  return (
    <p id={id} class="field-error" role="alert">
      {problem.field ? `${problem.field}: ` : ''}
      {problem.message}
    </p>
  );
}

// A form's call to the API: busy while it runs, its refusal kept as the
// problem to show (a check of the form's own sets one with setProblem).
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  // Whether it was done.
  const submit = async (call: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    try {
      await call();
      setProblem(null);
      return true;
    } catch (e) {
      setProblem(problemOf(e as ApiError));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, setProblem, submit };
}
