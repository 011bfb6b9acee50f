// Tests run Express 4 through the `express4` alias (npm:express@4); its API matches the types
// of Express 5 for everything the tests use.
declare module 'express4' {
  import express from 'express';
  export default express;
}
