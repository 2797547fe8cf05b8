import { scanText } from './lib/secrets.js';
for (const t of ['evt_7bc8be70-d96e-4760-9784-28444dca6027', 'card 4242 4242 4242 4242 ok', '"pan":"4242424242424242"', 'x 4000-0000-0000-0002.', 'time 1795424521125', 'w4mwt14j-0000-4000-8000-000000000003', '4111111111111111', 'masked 424242******4242'])
  console.log(JSON.stringify(t), scanText(t, 'f').map((f) => f.kind));
