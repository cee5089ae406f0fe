/** The version the Action reports in comments and report-json; kept equal to package.json's by version.spec.ts. */
export const actionVersion = "0.1.0";
