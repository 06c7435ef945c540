import { IMG_01 } from './IMG-01';
import { IMG_02 } from './IMG-02';
import { IMG_03 } from './IMG-03';

export const IMG_RULES = [IMG_01, IMG_02, IMG_03];
