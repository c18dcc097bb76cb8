/**
 * The document GraphiQL opens with at /graphql (until the browser has tabs of its own saved):
 * the project's latest threads with their messages and runs, a first look at the graph.
 */
export const GRAPHIQL_DEFAULT_QUERY = `# Put your API key after "Bearer " in the Headers tab below, then run this query.
query ThreadWithMessagesAndRuns {
  threads(first: 5) {
    nodes {
      id
      createdAt
      metadata
      messages(first: 10) {
        nodes {
          id
          role
          createdAt
        }
      }
      runs(first: 5) {
        nodes {
          id
          status
        }
      }
    }
  }
}
`;
