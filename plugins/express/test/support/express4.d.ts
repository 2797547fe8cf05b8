// express4 is Express 4 installed under an alias for the dual-version tests; its API is typed with Express's
// current types, which cover everything the tests call.
declare module 'express4' {
  import express from 'express';
  export default express;
}
