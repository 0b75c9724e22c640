/** Between the levels of a category path: `Figuren > Vinyl` (`categories.path`). */
export const CATEGORY_SEPARATOR = ' > ';
