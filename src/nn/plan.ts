// What a module's plan is sized for. A plan owns every buffer a batch needs, allocated once at
// this capacity; recording a batch writes its actual counts into uniforms and sizes the dispatch
// grid from them, so batches of any size up to the capacity reuse the same buffers, bind groups
// and pipelines (nothing is allocated, compiled or tuned while a step is recorded).

export interface PlanCapacity {
  /** Most states in one batch: rows of φ(s), or the estimator's steps. */
  maxStates: number;
  /** Most candidates (admissible actions) over all states of one batch; pair modules only. */
  maxCandidates?: number;
  /** Allocate gradient scratch and compile the backward pass (false: an inference plan). */
  backward: boolean;
}
