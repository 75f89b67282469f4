// A coordinated campaign for the flash_mob rule, shared by the tests that need one.
// Paraphrases of one template (synonym slots, clause order, a typo, punctuation, emoji), as a campaign posts them.
export const CAMPAIGN = [
  'Honestly, the council budget cuts are exactly what this town has needed for years, and anyone complaining clearly never pays the bills. Stay the course, Mayor Hart!',
  'Frankly the council budget cuts are exactly what this town has needed for years and anybody complaining clearly never pays the bills. Stay the course Mayor Hart 👍',
  'The council budget cuts are precisely what this town has needed for years, anyone complaining obviously never pays the bills. Stay the course, Mayor Hart.',
  'Honestly, the council spending cuts are exactly what this city has needed for years, and anyone moaning clearly never pays the bills! Stay the course, mayor Hart!',
  'Stay the course, Mayor Hart! The council budget cuts are exactly what this town has needed for yeers, and anyone complaining clearly never pays the bills.',
  'Honestly the council budget cuts are just what this town has needed for years, and everyone complaining clearly never pays the bills... Stay the course, Mayor Hart!!',
];

/** The article the campaign comments on (createArticle's overrides): on topic, so only flash_mob speaks. */
export const CAMPAIGN_ARTICLE = {
  title: 'Council passes budget with cuts to parking, libraries and grants',
  lead: 'The mayor says the savings protect services; opponents call them short-sighted.',
  body: 'The council voted on Tuesday to cut spending by four million over two years. Parking fees rise, two '
    + 'branch libraries open fewer hours and grants to local groups shrink. Mayor Hart said the town could not '
    + 'keep borrowing; the opposition said families would pay the price.',
};
