export { packageBuild as default } from '../../tsup.package.js';
