export { PgliteDatabase } from '@wab/sql';
