// Passphrase prompt page: asks, checks the repeat when creating, and hands the answer to main through its preload.
/* global document, window */
'use strict';
(function () {
  const api = window.ringsidePrompt;
  const $ = (id) => document.getElementById(id);
  let purpose = 'unlock';
  api.info().then((info) => {
    purpose = info.purpose;
    if (purpose === 'unlock') {
      $('confirm-row').classList.add('hidden');
      $('title').textContent = 'Unlock workspace keys';
      $('why').textContent = 'Type the passphrase that protects your Ringside workspace keys on this machine.';
    } else {
      $('title').textContent = 'Choose a passphrase';
    }
    if (info.retry) $('error').textContent = 'Wrong passphrase. Try again.';
    // Main scored the last choice and refused it: its feedback and a generated suggestion.
    if (info.weak) $('error').textContent = info.weak;
    $('pass').focus();
  });
  $('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const pass = $('pass').value;
    if (pass.length < 8) {
      $('error').textContent = 'Use at least 8 characters.';
      return;
    }
    if (purpose === 'create' && pass !== $('confirm').value) {
      $('error').textContent = 'The two entries differ.';
      return;
    }
    api.submit(pass);
  });
  $('cancel').addEventListener('click', () => api.cancel());
})();
