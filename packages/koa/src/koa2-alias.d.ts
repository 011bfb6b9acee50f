// Tests run Koa 2 through the `koa2` alias (npm:koa@2); its API matches the types of Koa 3
// for everything the tests use.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
