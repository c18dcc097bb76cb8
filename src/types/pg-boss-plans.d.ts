/** pg-boss 10's SQL builders (CommonJS, untyped): the two statements its workers do not await. */
declare module 'pg-boss/src/plans.js' {
  const plans: {
    completeJobs(schema: string): string;
    failJobsById(schema: string): string;
  };
  export default plans;
}
