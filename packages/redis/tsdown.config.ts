import { packageConfig } from '../../tsdown.base';

export default packageConfig();
