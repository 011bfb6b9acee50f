import { packageConfig } from '../../tsdown.base';

export default packageConfig(['src/index.ts', 'src/adapter.ts', 'src/node.ts']);
