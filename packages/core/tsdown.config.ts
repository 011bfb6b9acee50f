import { packageConfig } from '../../tsdown.base';

export default packageConfig(['src/index.ts', 'src/node.ts']);
